package cli

import (
	"flag"
	"fmt"
	"net"
	"strconv"
)

// setting is one configuration value: a flag and an environment variable
// of the same name (--db and FORMSVC_DB); the flag wins.
type setting struct {
	flag, env, def, help string
	value                *string
}

// config is the service's configuration.
type config struct {
	Addr    string
	DB      string
	KeyFile string
	SiteDir string
}

func (c *config) settings() []setting {
	return []setting{
		{"addr", "FORMSVC_ADDR", "127.0.0.1:8080", "địa chỉ nghe (máy:cổng)", &c.Addr},
		{"db", "FORMSVC_DB", "var/formsvc.db", "tệp cơ sở dữ liệu SQLite", &c.DB},
		{"key-file", "FORMSVC_KEY_FILE", "var/formsvc.key", "tệp khóa bí mật (để ngoài cơ sở dữ liệu và bản sao lưu)", &c.KeyFile},
		{"site", "FORMSVC_SITE", "site/public", "thư mục trang web đã dựng bằng Hugo", &c.SiteDir},
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

// check refuses values that cannot work, with a message that names them.
func (c *config) check() error {
	host, port, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return fmt.Errorf("--addr %q không hợp lệ: cần dạng máy:cổng, ví dụ 127.0.0.1:8080", c.Addr)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return fmt.Errorf("--addr %q: cổng %q không hợp lệ", c.Addr, port)
	}
	_ = host
	for _, s := range c.settings() {
		if *s.value == "" && s.flag != "addr" {
			return fmt.Errorf("--%s không được để trống", s.flag)
		}
	}
	return nil
}
