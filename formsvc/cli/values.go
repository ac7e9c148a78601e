package cli

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc/web"
)

// The typed values of the settings. Each Set says in Vietnamese what is
// wrong with the value; the setting adds which flag and variable gave it.

// pathValue is a file or folder: anything but empty.
type pathValue string

func (p *pathValue) String() string { return string(*p) }

func (p *pathValue) Set(s string) error {
	if s == "" {
		return errors.New("không được để trống")
	}
	*p = pathValue(s)
	return nil
}

// addrValue is an address to listen on, host:port.
type addrValue string

func (a *addrValue) String() string { return string(*a) }

func (a *addrValue) Set(s string) error {
	_, port, err := net.SplitHostPort(s)
	if err != nil {
		return fmt.Errorf("%q không hợp lệ: cần dạng máy:cổng, ví dụ 127.0.0.1:8080", s)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return fmt.Errorf("%q: cổng %q không hợp lệ (từ 0 tới 65535)", s, port)
	}
	*a = addrValue(s)
	return nil
}

// limitValue is a rate limit, "30/10m", or "off".
type limitValue web.Limit

func (l *limitValue) String() string { return web.Limit(*l).String() }

func (l *limitValue) Set(s string) error {
	v, err := web.ParseLimit(s)
	if err != nil {
		return err
	}
	*l = limitValue(v)
	return nil
}

// daysValue is a positive duration that may be given in days: "365d",
// "72h".
type daysValue time.Duration

func (d *daysValue) String() string {
	v := time.Duration(*d)
	if v > 0 && v%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", v/(24*time.Hour))
	}
	return v.String()
}

func (d *daysValue) Set(s string) error {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days < 1 {
			return fmt.Errorf("%q không hợp lệ: cần số ngày là số nguyên dương, ví dụ 365d", s)
		}
		*d = daysValue(time.Duration(days) * 24 * time.Hour)
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil || v <= 0 {
		return fmt.Errorf("%q không hợp lệ: cần một khoảng thời gian dương, ví dụ 365d hoặc 8760h", s)
	}
	*d = daysValue(v)
	return nil
}

// durationValue is a duration from min to max.
type durationValue struct {
	d        *time.Duration
	min, max time.Duration
}

func (d durationValue) String() string {
	if d.d == nil {
		return ""
	}
	return d.d.String()
}

func (d durationValue) Set(s string) error {
	v, err := time.ParseDuration(s)
	if err != nil || v < d.min || v > d.max {
		return fmt.Errorf("%q không hợp lệ: cần từ %s tới %s, ví dụ 5m", s, d.min, d.max)
	}
	*d.d = v
	return nil
}

// clockValue is a time of day, "07:30", kept as the time since midnight.
type clockValue time.Duration

func (c *clockValue) String() string {
	v := time.Duration(*c)
	return fmt.Sprintf("%02d:%02d", int(v.Hours()), int(v.Minutes())%60)
}

func (c *clockValue) Set(s string) error {
	h, m, ok := strings.Cut(s, ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || len(m) != 2 || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return fmt.Errorf("%q không hợp lệ: cần giờ:phút, ví dụ 07:30", s)
	}
	*c = clockValue(time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute)
	return nil
}

// boolValue is true or false. It takes its value as an argument
// (--secure-cookies true), as it always has: it is no bool flag.
type boolValue bool

func (b *boolValue) String() string { return strconv.FormatBool(bool(*b)) }

func (b *boolValue) Set(s string) error {
	v, err := strconv.ParseBool(s)
	if err != nil {
		return fmt.Errorf("%q: cần true hoặc false", s)
	}
	*b = boolValue(v)
	return nil
}

// listValue is a comma-separated list; each item is checked (and may be
// rewritten) by item. Empty is no items.
type listValue struct {
	list *[]string
	item func(string) (string, error)
}

func (l listValue) String() string {
	if l.list == nil {
		return ""
	}
	return strings.Join(*l.list, ",")
}

func (l listValue) Set(s string) error {
	var list []string
	if s != "" {
		for _, p := range strings.Split(s, ",") {
			v, err := l.item(strings.TrimSpace(p))
			if err != nil {
				return err
			}
			list = append(list, v)
		}
	}
	*l.list = list
	return nil
}

// cidrItem is an address range, 127.0.0.1/32.
func cidrItem(s string) (string, error) {
	if _, err := netip.ParsePrefix(s); err != nil {
		return "", fmt.Errorf("%q không phải dải địa chỉ CIDR (ví dụ 127.0.0.1/32)", s)
	}
	return s, nil
}

// originItem is a web origin, https://host, kept as scheme://host.
func originItem(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return "", fmt.Errorf("%q không phải nguồn dạng https://tên-miền", s)
	}
	return u.Scheme + "://" + u.Host, nil
}

// checkedValue is a string that check accepts. Secret ones never show
// (in a usage text, say): String gives nothing.
type checkedValue struct {
	s      *string
	check  func(string) error
	secret bool
}

func (c checkedValue) String() string {
	if c.s == nil || c.secret {
		return ""
	}
	return *c.s
}

func (c checkedValue) Set(s string) error {
	if s != "" && c.check != nil {
		if err := c.check(s); err != nil {
			return err
		}
	}
	*c.s = s
	return nil
}

// secretFileValue is a file holding a shared secret of at least 32 bytes
// (surrounding spaces left out); the file is read when it is given.
type secretFileValue struct {
	path   string
	secret []byte
}

func (f *secretFileValue) String() string { return f.path }

func (f *secretFileValue) Set(path string) error {
	if path == "" {
		*f = secretFileValue{}
		return nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("không đọc được %s: %v", path, err)
	}
	b = bytes.TrimSpace(b)
	if len(b) < 32 {
		return fmt.Errorf("bí mật trong %s quá ngắn (%d byte): cần ít nhất 32 byte ngẫu nhiên, ví dụ tạo bằng: openssl rand -hex 32", path, len(b))
	}
	*f = secretFileValue{path: path, secret: b}
	return nil
}
