package cli

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/web"
)

// setting is one configuration value: a flag and an environment variable
// of the same name (--db and FORMSVC_DB); the flag wins.
type setting struct {
	flag, env, def, help string
	value                *string
}

// config is the service's configuration as given, and parsed.
type config struct {
	Addr           string
	DB             string
	KeyFile        string
	SiteDir        string
	ClientIPHeader string
	TrustedProxies string
	SubmitLimit    string
	SubmitGlobal   string
	FollowUpLimit  string
	FollowUpGlobal string
	Retention      string
	SecureCookies  string
	OverdueAfter   string
	LoginLimit     string
	LoginGlobal    string
	AllowedOrigins string
	NetlifySecret  string
	// Officer alerts (see alerts.go).
	SMTPURL            string
	MailFrom           string
	AlertDelay         string
	DigestAt           string
	AlertWebhook       string
	AlertWebhookSecret string
	ConsoleURL         string

	// Parsed by check.
	proxies   []string
	limits    web.Limits
	retention time.Duration
	secure    bool
	overdue   time.Duration
	login     web.Limit
	loginAll  web.Limit
	origins   []string
	netlify   []byte
	alerts    alertConfig
}

func (c *config) settings() []setting {
	d := web.DefaultLimits
	return []setting{
		{"addr", "FORMSVC_ADDR", "127.0.0.1:8080", "địa chỉ nghe (máy:cổng)", &c.Addr},
		{"db", "FORMSVC_DB", "var/formsvc.db", "tệp cơ sở dữ liệu SQLite", &c.DB},
		{"key-file", "FORMSVC_KEY_FILE", "var/formsvc.key", "tệp khóa bí mật (để ngoài cơ sở dữ liệu và bản sao lưu)", &c.KeyFile},
		{"site", "FORMSVC_SITE", "site/public", "thư mục trang web đã dựng bằng Hugo", &c.SiteDir},
		{"client-ip-header", "FORMSVC_CLIENT_IP_HEADER", "", "tiêu đề chứa địa chỉ người dùng do proxy tin cậy đặt, ví dụ X-Nf-Client-Connection-Ip (trống: dùng địa chỉ kết nối)", &c.ClientIPHeader},
		{"trusted-proxies", "FORMSVC_TRUSTED_PROXIES", "", "dải địa chỉ (CIDR, cách nhau bằng dấu phẩy) của proxy được tin tiêu đề trên", &c.TrustedProxies},
		{"submit-limit", "FORMSVC_SUBMIT_LIMIT", d.Submit.String(), "số lần gửi biểu mẫu tối đa của một máy, dạng số/thời gian", &c.SubmitLimit},
		{"submit-global-limit", "FORMSVC_SUBMIT_GLOBAL_LIMIT", d.SubmitGlobal.String(), "số lần gửi tối đa của mọi người cộng lại", &c.SubmitGlobal},
		{"follow-up-limit", "FORMSVC_FOLLOW_UP_LIMIT", d.FollowUp.String(), "số lần tra cứu mã biên nhận tối đa của một máy", &c.FollowUpLimit},
		{"follow-up-global-limit", "FORMSVC_FOLLOW_UP_GLOBAL_LIMIT", d.FollowUpGlobal.String(), "số lần tra cứu tối đa của mọi người cộng lại", &c.FollowUpGlobal},
		{"retention", "FORMSVC_RETENTION", fmt.Sprintf("%dd", formsvc.DefaultRetentionDays), "thời gian giữ hồ sơ đã đóng trước khi formsvc purge xóa (ví dụ 365d, 720h)", &c.Retention},
		{"secure-cookies", "FORMSVC_SECURE_COOKIES", "false", "đặt cookie của cán bộ là Secure (bật khi có TLS phía trước: true/false)", &c.SecureCookies},
		{"overdue-after", "FORMSVC_OVERDUE_AFTER", "3d", "hồ sơ đang mở không có thao tác quá thời gian này là quá hạn", &c.OverdueAfter},
		{"login-limit", "FORMSVC_LOGIN_LIMIT", "10/15m", "số lần đăng nhập sai (mật khẩu, tên, mã hai bước) của một máy trước khi máy đó bị chặn; từ lần sai thứ ba mỗi lần thử phải chờ thêm", &c.LoginLimit},
		{"login-global-limit", "FORMSVC_LOGIN_GLOBAL_LIMIT", "60/1m", "số lần đăng nhập sai của mọi máy cộng lại; vượt trần thì mọi lần đăng nhập tạm dừng", &c.LoginGlobal},
		{"netlify-secret-file", "FORMSVC_NETLIFY_SECRET_FILE", "", "tệp chứa bí mật của quy tắc proxy có ký của Netlify (signed trong netlify.toml): chỉ yêu cầu có chữ ký đúng mới được lấy địa chỉ người dùng từ X-Nf-Client-Connection-Ip", &c.NetlifySecret},
		{"allowed-origins", "FORMSVC_ALLOWED_ORIGINS", "", "trang web khác (https://tên-miền, cách nhau bằng dấu phẩy) được phép gửi biểu mẫu tới API; trang của chính dịch vụ và qua proxy Netlify luôn được", &c.AllowedOrigins},
		{"smtp-url", "FORMSVC_SMTP_URL", "", "máy chủ thư gửi thông báo cho cán bộ: smtp://tên:mật-khẩu@máy-chủ:587 (STARTTLS) hoặc smtps://tên:mật-khẩu@máy-chủ:465; smtp://127.0.0.1:2525 cho máy chủ thư trên chính máy này (trống: không gửi thư)", &c.SMTPURL},
		{"mail-from", "FORMSVC_MAIL_FROM", "", "địa chỉ người gửi của thư thông báo, ví dụ canh-bao@xa.gov.vn (cần khi có --smtp-url)", &c.MailFrom},
		{"alert-delay", "FORMSVC_ALERT_DELAY", "5m", "gom hồ sơ mới và lời nhắn mới trong khoảng thời gian này thành một thông báo cho mỗi cán bộ (nhiều nhất một thông báo mỗi loại mỗi khoảng)", &c.AlertDelay},
		{"digest-at", "FORMSVC_DIGEST_AT", "07:30", "giờ gửi tóm tắt hằng ngày, giờ Việt Nam (HH:MM)", &c.DigestAt},
		{"alert-webhook", "FORMSVC_ALERT_WEBHOOK", "", "địa chỉ webhook (https://…) nhận thông báo dạng JSON có chữ ký, cho cầu nối Zalo OA, Telegram… (trống: không dùng)", &c.AlertWebhook},
		{"alert-webhook-secret", "FORMSVC_ALERT_WEBHOOK_SECRET", "", "bí mật chung (ít nhất 32 byte, ví dụ openssl rand -hex 32) để ký webhook bằng HMAC-SHA-256; nên đặt bằng biến môi trường", &c.AlertWebhookSecret},
		{"console-url", "FORMSVC_CONSOLE_URL", "", "địa chỉ bàn làm việc ghi trong thông báo, ví dụ https://dichvu.xa.gov.vn/officer/ (trống: http://<--addr>/officer/)", &c.ConsoleURL},
	}
}

// bindConfig registers the settings on fs with defaults taken from the
// environment where set.
func bindConfig(fs *flag.FlagSet, getenv func(string) string) *config {
	c := &config{}
	for _, s := range c.settings() {
		def := s.def
		if v := getenv(s.env); v != "" {
			def = v
		}
		fs.StringVar(s.value, s.flag, def, fmt.Sprintf("%s (biến môi trường %s)", s.help, s.env))
	}
	return c
}

// check refuses values that cannot work, with a message that names them
// by flag and environment variable (either may have set them), and parses
// the typed ones.
func (c *config) check() (err error) {
	defer func() {
		if err != nil {
			err = errors.New(withEnvName(err.Error()))
		}
	}()
	_, port, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return fmt.Errorf("--addr %q không hợp lệ: cần dạng máy:cổng, ví dụ 127.0.0.1:8080", c.Addr)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return fmt.Errorf("--addr %q: cổng %q không hợp lệ", c.Addr, port)
	}
	for _, s := range []struct{ name, v string }{{"db", c.DB}, {"key-file", c.KeyFile}, {"site", c.SiteDir}} {
		if s.v == "" {
			return fmt.Errorf("--%s không được để trống", s.name)
		}
	}
	if c.ClientIPHeader != "" && c.TrustedProxies == "" {
		// Without it, any client could write the header itself and take a
		// fresh rate-limit allowance with every request.
		return fmt.Errorf("--client-ip-header cần đi cùng --trusted-proxies (dải địa chỉ của proxy đặt tiêu đề đó): nếu không, ai cũng tự đặt được tiêu đề này để né giới hạn tần suất")
	}
	if strings.EqualFold(c.ClientIPHeader, "X-Nf-Client-Connection-Ip") {
		// Any caller can write this header; only Netlify's signature says
		// that Netlify wrote it.
		return fmt.Errorf("--client-ip-header X-Nf-Client-Connection-Ip: tiêu đề này ai cũng tự đặt được; hãy dùng --netlify-secret-file (proxy có ký của Netlify) thay cho nó")
	}
	if c.NetlifySecret != "" {
		b, err := os.ReadFile(c.NetlifySecret)
		if err != nil {
			return fmt.Errorf("--netlify-secret-file: không đọc được %s: %v", c.NetlifySecret, err)
		}
		c.netlify = bytes.TrimSpace(b)
		if len(c.netlify) < 32 {
			return fmt.Errorf("--netlify-secret-file: bí mật trong %s quá ngắn (%d byte): cần ít nhất 32 byte ngẫu nhiên, ví dụ tạo bằng: openssl rand -hex 32", c.NetlifySecret, len(c.netlify))
		}
	}
	if c.TrustedProxies != "" {
		if c.ClientIPHeader == "" {
			return fmt.Errorf("--trusted-proxies cần đi cùng --client-ip-header")
		}
		for _, p := range strings.Split(c.TrustedProxies, ",") {
			p = strings.TrimSpace(p)
			if _, err := netip.ParsePrefix(p); err != nil {
				return fmt.Errorf("--trusted-proxies: %q không phải dải địa chỉ CIDR (ví dụ 127.0.0.1/32)", p)
			}
			c.proxies = append(c.proxies, p)
		}
	}
	for _, l := range []struct {
		name string
		raw  string
		dst  *web.Limit
	}{
		{"submit-limit", c.SubmitLimit, &c.limits.Submit},
		{"submit-global-limit", c.SubmitGlobal, &c.limits.SubmitGlobal},
		{"follow-up-limit", c.FollowUpLimit, &c.limits.FollowUp},
		{"follow-up-global-limit", c.FollowUpGlobal, &c.limits.FollowUpGlobal},
	} {
		if *l.dst, err = web.ParseLimit(l.raw); err != nil {
			return fmt.Errorf("--%s: %w", l.name, err)
		}
	}
	if c.retention, err = parseDays(c.Retention); err != nil {
		return fmt.Errorf("--retention: %w", err)
	}
	if c.overdue, err = parseDays(c.OverdueAfter); err != nil {
		return fmt.Errorf("--overdue-after: %w", err)
	}
	if c.secure, err = strconv.ParseBool(c.SecureCookies); err != nil {
		return fmt.Errorf("--secure-cookies %q: cần true hoặc false", c.SecureCookies)
	}
	if c.login, err = web.ParseLimit(c.LoginLimit); err != nil {
		return fmt.Errorf("--login-limit: %w", err)
	}
	if c.loginAll, err = web.ParseLimit(c.LoginGlobal); err != nil {
		return fmt.Errorf("--login-global-limit: %w", err)
	}
	if c.AllowedOrigins != "" {
		for _, o := range strings.Split(c.AllowedOrigins, ",") {
			o = strings.TrimSpace(o)
			u, err := url.Parse(o)
			if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
				return fmt.Errorf("--allowed-origins: %q không phải nguồn dạng https://tên-miền", o)
			}
			c.origins = append(c.origins, u.Scheme+"://"+u.Host)
		}
	}
	return c.checkAlerts()
}

var leadingFlag = regexp.MustCompile(`^--([a-z-]+)`)

// withEnvName adds the environment variable to the flag a message starts
// with: "--retention: …" becomes "--retention (FORMSVC_RETENTION): …".
func withEnvName(msg string) string {
	return leadingFlag.ReplaceAllStringFunc(msg, func(f string) string {
		return f + " (FORMSVC_" + strings.ToUpper(strings.ReplaceAll(f[2:], "-", "_")) + ")"
	})
}

// parseDays reads a duration that may be given in days ("365d").
func parseDays(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days < 1 {
			return 0, fmt.Errorf("%q không hợp lệ: cần số ngày, ví dụ 365d", s)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q không hợp lệ: ví dụ 365d hoặc 8760h", s)
	}
	return d, nil
}
