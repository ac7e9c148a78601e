package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/web"
)

// The settings come in groups; each command registers the groups it uses
// (settings.go says how a setting is read).
//
//	storage    --db --key-file                  every command that opens the database
//	retention  --retention                      purge
//	server     --addr --site, proxies, limits…  serve
//	alerts     --smtp-url --alert-webhook…       serve (alerts.go)

// storageConfig is where the database and its key file are.
type storageConfig struct {
	DB      string
	KeyFile string
}

func storageSettings(fs *flagSet) *storageConfig {
	c := &storageConfig{DB: "var/formsvc.db", KeyFile: "var/formsvc.key"}
	fs.setting("db", (*pathValue)(&c.DB), "tệp cơ sở dữ liệu SQLite, hoặc postgres://người-dùng:mật-khẩu@máy:5432/tên để dùng PostgreSQL")
	fs.setting("key-file", (*pathValue)(&c.KeyFile), "tệp khóa bí mật (để ngoài cơ sở dữ liệu và bản sao lưu)")
	return c
}

// retentionSetting is how long closed records are kept.
func retentionSetting(fs *flagSet) *time.Duration {
	d := time.Duration(formsvc.DefaultRetentionDays) * 24 * time.Hour
	fs.setting("retention", (*daysValue)(&d), "thời gian giữ hồ sơ đã đóng trước khi formsvc purge xóa (ví dụ 365d, 720h)")
	return &d
}

// serverConfig is serve's settings.
type serverConfig struct {
	Addr           string
	SiteDir        string
	ClientIPHeader string
	TrustedProxies []string
	NetlifySecret  secretFileValue
	AllowedOrigins []string
	Limits         web.Limits
	Login          web.Limit
	LoginGlobal    web.Limit
	SecureCookies  bool
	OverdueAfter   time.Duration
	Alerts         alertConfig
}

func serverSettings(fs *flagSet) *serverConfig {
	c := &serverConfig{Addr: "127.0.0.1:8080", SiteDir: "site/public", Limits: web.DefaultLimits,
		Login: web.Limit{N: 10, Per: 15 * time.Minute}, LoginGlobal: web.Limit{N: 60, Per: time.Minute},
		OverdueAfter: 3 * 24 * time.Hour}
	fs.setting("addr", (*addrValue)(&c.Addr), "địa chỉ nghe (máy:cổng)")
	fs.setting("site", (*pathValue)(&c.SiteDir), "thư mục trang web đã dựng bằng Hugo")
	fs.setting("client-ip-header", checkedValue{s: &c.ClientIPHeader, check: checkClientIPHeader},
		"tiêu đề chứa địa chỉ người dùng do proxy tin cậy đặt, ví dụ X-Forwarded-For-Client (trống: dùng địa chỉ kết nối)")
	fs.setting("trusted-proxies", listValue{list: &c.TrustedProxies, item: cidrItem},
		"dải địa chỉ (CIDR, cách nhau bằng dấu phẩy) của proxy được tin tiêu đề trên")
	fs.setting("netlify-secret-file", &c.NetlifySecret,
		"tệp chứa bí mật của quy tắc proxy có ký của Netlify (signed trong netlify.toml): chỉ yêu cầu có chữ ký đúng mới được lấy địa chỉ người dùng từ X-Nf-Client-Connection-Ip")
	fs.setting("allowed-origins", listValue{list: &c.AllowedOrigins, item: originItem},
		"trang web khác (https://tên-miền, cách nhau bằng dấu phẩy) được phép gửi biểu mẫu tới API; trang của chính dịch vụ và qua proxy Netlify luôn được")
	fs.setting("submit-limit", (*limitValue)(&c.Limits.Submit), "số lần gửi biểu mẫu tối đa của một máy, dạng số/thời gian (off: không giới hạn)")
	fs.setting("submit-global-limit", (*limitValue)(&c.Limits.SubmitGlobal), "số lần gửi tối đa của mọi người cộng lại")
	fs.setting("follow-up-limit", (*limitValue)(&c.Limits.FollowUp), "số lần tra cứu mã biên nhận tối đa của một máy")
	fs.setting("follow-up-global-limit", (*limitValue)(&c.Limits.FollowUpGlobal), "số lần tra cứu tối đa của mọi người cộng lại")
	fs.setting("login-limit", (*limitValue)(&c.Login),
		"số lần đăng nhập sai (mật khẩu, tên, mã hai bước) của một máy trước khi máy đó bị chặn; từ lần sai thứ ba mỗi lần thử phải chờ thêm")
	fs.setting("login-global-limit", (*limitValue)(&c.LoginGlobal),
		"số lần đăng nhập sai của mọi máy cộng lại; vượt trần thì mọi lần đăng nhập tạm dừng")
	fs.setting("secure-cookies", (*boolValue)(&c.SecureCookies), "đặt cookie của cán bộ là Secure (bật khi có TLS phía trước: true/false)")
	fs.setting("overdue-after", (*daysValue)(&c.OverdueAfter), "hồ sơ đang mở không có thao tác quá thời gian này là quá hạn")
	alertSettings(fs, &c.Alerts)
	return c
}

// checkClientIPHeader refuses the header that anyone can write.
func checkClientIPHeader(h string) error {
	if strings.EqualFold(h, "X-Nf-Client-Connection-Ip") {
		// Any caller can write this header; only Netlify's signature says
		// that Netlify wrote it.
		return fmt.Errorf("tiêu đề %s ai cũng tự đặt được; hãy dùng %s (proxy có ký của Netlify) thay cho nó", h, settingNames("netlify-secret-file"))
	}
	return nil
}

// check refuses settings that cannot work together (each one alone was
// checked as it was read).
func (c *serverConfig) check() error {
	switch {
	case c.ClientIPHeader != "" && len(c.TrustedProxies) == 0:
		// Without it, any client could write the header itself and take a
		// fresh rate-limit allowance with every request.
		return fmt.Errorf("%s cần đi cùng %s (dải địa chỉ của proxy đặt tiêu đề đó): nếu không, ai cũng tự đặt được tiêu đề này để né giới hạn tần suất",
			settingNames("client-ip-header"), settingNames("trusted-proxies"))
	case len(c.TrustedProxies) > 0 && c.ClientIPHeader == "":
		return fmt.Errorf("%s cần đi cùng %s", settingNames("trusted-proxies"), settingNames("client-ip-header"))
	}
	return c.Alerts.check(c.Addr)
}
