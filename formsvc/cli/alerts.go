package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/alert"
)

// alertConfig is serve's settings for officers' alerts.
type alertConfig struct {
	SMTPURL       string
	MailFrom      string
	Delay         time.Duration
	DigestAt      time.Duration // since midnight, Vietnam's time
	Webhook       string
	WebhookSecret string
	ConsoleURL    string // ends in "/"; check fills it in from --addr
}

func alertSettings(fs *flagSet, c *alertConfig) {
	c.Delay = 5 * time.Minute
	c.DigestAt = 7*time.Hour + 30*time.Minute
	fs.setting("smtp-url", checkedValue{s: &c.SMTPURL, secret: true, check: func(s string) error {
		_, err := alert.ParseSMTPURL(s)
		return err
	}}, "máy chủ thư gửi thông báo cho cán bộ: smtp://tên:mật-khẩu@máy-chủ:587 (STARTTLS) hoặc smtps://tên:mật-khẩu@máy-chủ:465; "+
		"smtp://127.0.0.1:2525 cho máy chủ thư trên chính máy này (trống: không gửi thư)")
	fs.setting("mail-from", checkedValue{s: &c.MailFrom, check: func(s string) error {
		_, err := alert.ParseFrom(s)
		return err
	}}, "địa chỉ người gửi của thư thông báo, ví dụ canh-bao@xa.gov.vn (cần khi có --smtp-url)")
	fs.setting("alert-delay", durationValue{d: &c.Delay, min: time.Second, max: 24 * time.Hour},
		"gom hồ sơ mới và lời nhắn mới trong khoảng thời gian này thành một thông báo cho mỗi cán bộ (nhiều nhất một thông báo mỗi loại mỗi khoảng)")
	fs.setting("digest-at", (*clockValue)(&c.DigestAt), "giờ gửi tóm tắt hằng ngày, giờ Việt Nam (HH:MM)")
	fs.setting("alert-webhook", checkedValue{s: &c.Webhook, check: alert.CheckWebhookURL},
		"địa chỉ webhook (https://…) nhận thông báo dạng JSON có chữ ký, cho cầu nối Zalo OA, Telegram… (trống: không dùng)")
	fs.setting("alert-webhook-secret", checkedValue{s: &c.WebhookSecret, secret: true},
		"bí mật chung (ít nhất 32 byte, ví dụ openssl rand -hex 32) để ký webhook bằng HMAC-SHA-256; nên đặt bằng biến môi trường")
	fs.setting("console-url", checkedValue{s: &c.ConsoleURL, check: checkConsoleURL},
		"địa chỉ bàn làm việc ghi trong thông báo, ví dụ https://dichvu.xa.gov.vn/officer/ (trống: http://<--addr>/officer/)")
}

// checkConsoleURL: the console's address, written in alerts.
func checkConsoleURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" ||
		len(s) > alert.MaxConsoleURLLen {
		return fmt.Errorf("%q không hợp lệ: cần địa chỉ https://… (tối đa %d ký tự), ví dụ https://dichvu.xa.gov.vn/officer/", s, alert.MaxConsoleURLLen)
	}
	return nil
}

// check refuses alert settings that cannot work together, and fills in
// the console's address from addr when none is given.
func (c *alertConfig) check(addr string) error {
	if c.SMTPURL != "" && c.MailFrom == "" {
		return fmt.Errorf("%s cần đi cùng %s (địa chỉ người gửi, ví dụ canh-bao@xa.gov.vn)", settingNames("smtp-url"), settingNames("mail-from"))
	}
	if c.Webhook != "" && len(c.WebhookSecret) < alert.MinWebhookSecret {
		return fmt.Errorf("%s: cần ít nhất %d byte (đang có %d), ví dụ tạo bằng: openssl rand -hex 32",
			settingNames("alert-webhook-secret"), alert.MinWebhookSecret, len(c.WebhookSecret))
	}
	if c.ConsoleURL == "" {
		c.ConsoleURL = "http://" + addr + "/officer/"
		if err := checkConsoleURL(c.ConsoleURL); err != nil {
			return fmt.Errorf("%s: %w", settingNames("console-url"), err)
		}
	}
	if !strings.HasSuffix(c.ConsoleURL, "/") {
		c.ConsoleURL += "/"
	}
	return nil
}

// prepareAlerts makes the alert dispatcher when mail or a webhook is
// configured; start runs it (once the service listens), and the stop it
// returns ends it and waits, before the database closes.
func prepareAlerts(cfg *alertConfig, overdue time.Duration, db store, log *slog.Logger) (start func() (stop func()), err error) {
	if cfg.SMTPURL == "" && cfg.Webhook == "" {
		log.Info("không gửi thông báo cho cán bộ: chưa có --smtp-url hay --alert-webhook")
		return func() func() { return func() {} }, nil
	}
	acfg := alert.Config{Store: db, Delay: cfg.Delay, DigestAt: cfg.DigestAt, OverdueAfter: overdue,
		Text: alert.Text{ConsoleURL: cfg.ConsoleURL}, Logger: log}
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
	if cfg.Webhook != "" {
		if acfg.Webhook, err = alert.NewWebhook(cfg.Webhook, []byte(cfg.WebhookSecret), nil); err != nil {
			return nil, err
		}
		u, _ := url.Parse(cfg.Webhook)
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
		log.Info("gửi thông báo cho cán bộ", append(channels, "gom", cfg.Delay.String(), "tóm_tắt_lúc", (*clockValue)(&cfg.DigestAt).String())...)
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
func setOfficerAlerts(ctx context.Context, e *env, db store, fs *flag.FlagSet, af alertFlags, o *formsvc.Officer) error {
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
func listOfficerAlerts(ctx context.Context, e *env, db store) error {
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
