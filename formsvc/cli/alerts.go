package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/alert"
	"github.com/hoaphong/phongchongmaidam/formsvc/sqlite"
)

// alertConfig is the parsed alert settings.
type alertConfig struct {
	delay      time.Duration
	digestAt   time.Duration
	secret     []byte
	consoleURL string
}

// secretFlags are settings whose value (which may come from the
// environment) the usage text never prints.
var secretFlags = map[string]bool{"smtp-url": true, "alert-webhook-secret": true}

// checkAlerts checks and parses the alert settings.
func (c *config) checkAlerts() error {
	a := &c.alerts
	if c.SMTPURL != "" {
		if _, err := alert.ParseSMTPURL(c.SMTPURL); err != nil {
			return fmt.Errorf("--smtp-url: %w", err)
		}
		if c.MailFrom == "" {
			return errors.New("--smtp-url cần đi cùng --mail-from (địa chỉ người gửi, ví dụ canh-bao@xa.gov.vn)")
		}
	}
	if c.MailFrom != "" {
		if _, err := alert.ParseFrom(c.MailFrom); err != nil {
			return fmt.Errorf("--mail-from: %w", err)
		}
	}
	d, err := time.ParseDuration(c.AlertDelay)
	if err != nil || d < time.Second || d > 24*time.Hour {
		return fmt.Errorf("--alert-delay %q không hợp lệ: cần từ 1s tới 24h, ví dụ 5m", c.AlertDelay)
	}
	a.delay = d
	if a.digestAt, err = parseClock(c.DigestAt); err != nil {
		return fmt.Errorf("--digest-at %q không hợp lệ: cần giờ:phút, ví dụ 07:30", c.DigestAt)
	}
	if c.AlertWebhook != "" {
		if err := alert.CheckWebhookURL(c.AlertWebhook); err != nil {
			return fmt.Errorf("--alert-webhook: %w", err)
		}
		a.secret = []byte(c.AlertWebhookSecret)
		if len(a.secret) < alert.MinWebhookSecret {
			return fmt.Errorf("--alert-webhook-secret: cần ít nhất %d byte (đang có %d), ví dụ tạo bằng: openssl rand -hex 32", alert.MinWebhookSecret, len(a.secret))
		}
	}
	a.consoleURL = c.ConsoleURL
	if a.consoleURL == "" {
		a.consoleURL = "http://" + c.Addr + "/officer/"
	}
	u, err := url.Parse(a.consoleURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" ||
		len(a.consoleURL) > alert.MaxConsoleURLLen {
		return fmt.Errorf("--console-url %q không hợp lệ: cần địa chỉ https://… (tối đa %d ký tự), ví dụ https://dichvu.xa.gov.vn/officer/", a.consoleURL, alert.MaxConsoleURLLen)
	}
	if !strings.HasSuffix(a.consoleURL, "/") {
		a.consoleURL += "/"
	}
	return nil
}

// parseClock reads a time of day, "07:30".
func parseClock(s string) (time.Duration, error) {
	h, m, ok := strings.Cut(s, ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || len(m) != 2 || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return 0, errors.New("bad time of day")
	}
	return time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute, nil
}

// prepareAlerts makes the alert dispatcher when mail or a webhook is
// configured; start runs it (once the service listens), and the stop it
// returns ends it and waits, before the database closes.
func prepareAlerts(cfg *config, db *sqlite.DB, log *slog.Logger) (start func() (stop func()), err error) {
	if cfg.SMTPURL == "" && cfg.AlertWebhook == "" {
		log.Info("không gửi thông báo cho cán bộ: chưa có --smtp-url hay --alert-webhook")
		return func() func() { return func() {} }, nil
	}
	acfg := alert.Config{Store: db, Delay: cfg.alerts.delay, DigestAt: cfg.alerts.digestAt, OverdueAfter: cfg.overdue,
		Text: alert.Text{ConsoleURL: cfg.alerts.consoleURL}, Logger: log}
	var channels []any
	if cfg.SMTPURL != "" {
		if acfg.Mailer, err = alert.NewMailer(alert.MailConfig{URL: cfg.SMTPURL, From: cfg.MailFrom}); err != nil {
			return nil, err
		}
		channels = append(channels, "thư", acfg.Mailer.Server())
		list, err := db.OfficerAlerts(context.Background())
		if err != nil {
			return nil, err
		}
		var none []string
		for _, o := range list {
			if o.Email == "" && !o.Disabled {
				none = append(none, o.Username)
			}
		}
		if len(none) > 0 {
			log.Warn("có cán bộ chưa có email nhận thông báo: formsvc officer set --username TÊN --email ĐỊA-CHỈ", "cán_bộ", strings.Join(none, ","))
		}
	}
	if cfg.AlertWebhook != "" {
		if acfg.Webhook, err = alert.NewWebhook(cfg.AlertWebhook, cfg.alerts.secret, nil); err != nil {
			return nil, err
		}
		u, _ := url.Parse(cfg.AlertWebhook)
		channels = append(channels, "webhook", u.Scheme+"://"+u.Host)
	}
	d := alert.New(acfg)
	return func() func() {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			d.Run(ctx)
		}()
		log.Info("gửi thông báo cho cán bộ", append(channels, "gom", cfg.alerts.delay.String(), "tóm_tắt_lúc", cfg.DigestAt)...)
		var once sync.Once
		return func() { once.Do(func() { cancel(); <-done }) }
	}, nil
}

// alertFlags are officer add's and set's alert options.
type alertFlags struct {
	email  *string
	alerts *string
}

func bindAlertFlags(fs *flag.FlagSet) alertFlags {
	return alertFlags{
		email: fs.String("email", "", "địa chỉ email nhận thông báo (với add, set; --email \"\" để xóa)"),
		alerts: fs.String("alerts", "", "các loại thông báo muốn nhận, cách nhau bằng dấu phẩy: "+
			"new (hồ sơ mới), reply (người gửi nhắn thêm), overdue (quá hạn), digest (tóm tắt hằng ngày); all hoặc none (với set)"),
	}
}

// given reports whether the flag was on the command line.
func given(fs *flag.FlagSet, name string) bool {
	found := false
	fs.Visit(func(f *flag.Flag) { found = found || f.Name == name })
	return found
}

// parseWants reads --alerts.
func parseWants(s string) (map[formsvc.AlertType]bool, error) {
	w := map[formsvc.AlertType]bool{}
	switch strings.TrimSpace(s) {
	case "all":
		return formsvc.AllAlerts(), nil
	case "none":
		return w, nil
	}
	for _, p := range strings.Split(s, ",") {
		t, ok := formsvc.ParseAlertType(p)
		if !ok {
			return nil, fmt.Errorf("--alerts: không có loại %q (new, reply, overdue, digest, all, none)", strings.TrimSpace(p))
		}
		w[t] = true
	}
	return w, nil
}

// setOfficerAlerts applies --email and --alerts to an officer (officer
// add and set) and audits the change.
func setOfficerAlerts(ctx context.Context, e *env, db *sqlite.DB, fs *flag.FlagSet, af alertFlags, o *formsvc.Officer) error {
	var changed []string
	if given(fs, "email") {
		email, err := formsvc.ParseEmail(*af.email)
		if err != nil {
			return errors.New(formsvc.ErrorMessage(err))
		}
		if err := db.SetAlertEmail(ctx, o.ID, email); err != nil {
			return err
		}
		if email == "" {
			fmt.Fprintf(e.stdout, "Đã xóa email nhận thông báo của %s.\n", o.Username)
		} else {
			fmt.Fprintf(e.stdout, "Thông báo cho %s gửi tới %s.\n", o.Username, email)
		}
		changed = append(changed, "email")
	}
	if given(fs, "alerts") {
		w, err := parseWants(*af.alerts)
		if err != nil {
			return err
		}
		if err := db.SetAlertWants(ctx, o.ID, w); err != nil {
			return err
		}
		var names []string
		for _, t := range formsvc.AlertTypes {
			if w[t] {
				names = append(names, formsvc.AlertTypeShort[t])
			}
		}
		if len(names) == 0 {
			names = []string{"không nhận thông báo nào"}
		}
		fmt.Fprintf(e.stdout, "%s nhận: %s.\n", o.Username, strings.Join(names, ", "))
		changed = append(changed, "loại thông báo")
	}
	if len(changed) == 0 {
		return nil
	}
	return db.Audit(ctx, formsvc.AuditEntry{Username: cliUser, Action: formsvc.AuditAlertSettings, Target: o.Username,
		Detail: strings.Join(changed, ", ")})
}

// checkEmailFlag refuses a bad --email before anything is stored.
func checkEmailFlag(af alertFlags) error {
	if _, err := formsvc.ParseEmail(*af.email); err != nil {
		return errors.New(formsvc.ErrorMessage(err))
	}
	return nil
}

// listOfficerAlerts prints who gets alerts where, and who has no address.
func listOfficerAlerts(ctx context.Context, e *env, db *sqlite.DB) error {
	list, err := db.OfficerAlerts(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TÊN ĐĂNG NHẬP\tVAI TRÒ\tEMAIL\tNHẬN")
	var none []string
	for _, o := range list {
		email := o.Email
		if email == "" {
			email = "(chưa có)"
			if !o.Disabled {
				none = append(none, o.Username)
			}
		}
		var wants []string
		for _, t := range formsvc.AlertTypes {
			if o.Want(t) {
				wants = append(wants, string(t))
			}
		}
		w := strings.Join(wants, ",")
		if w == "" {
			w = "none"
		}
		if o.Disabled {
			w += " (tài khoản đã khóa)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", o.Username, o.Role, email, w)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(none) > 0 {
		fmt.Fprintf(e.stdout, "\nChưa có email, không nhận được thông báo: %s\n", strings.Join(none, ", "))
	}
	return nil
}
