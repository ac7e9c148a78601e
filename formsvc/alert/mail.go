package alert

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// SMTP is a parsed --smtp-url: smtp://[user:pass@]host[:port][?auth=…]
// (STARTTLS, port 587 unless given) or smtps://… (TLS from the start,
// port 465 unless given).
type SMTP struct {
	Host     string
	Port     int
	Implicit bool // smtps://
	User     string
	Password string
	Auth     gomail.SMTPAuthType // when User is set
}

// authTypes are the accepted values of ?auth=.
var authTypes = map[string]gomail.SMTPAuthType{
	"plain":         gomail.SMTPAuthPlain,
	"login":         gomail.SMTPAuthLogin,
	"cram-md5":      gomail.SMTPAuthCramMD5,
	"scram-sha-1":   gomail.SMTPAuthSCRAMSHA1,
	"scram-sha-256": gomail.SMTPAuthSCRAMSHA256,
	"auto":          gomail.SMTPAuthAutoDiscover,
}

// ParseSMTPURL reads an SMTP server's address. Its errors are Vietnamese
// and never repeat the password.
func ParseSMTPURL(raw string) (SMTP, error) {
	var s SMTP
	u, err := url.Parse(raw)
	if err != nil {
		return s, errors.New("không đọc được địa chỉ: cần dạng smtp://tên:mật-khẩu@máy-chủ:587 hoặc smtps://…:465")
	}
	switch u.Scheme {
	case "smtp":
		s.Port = 587
	case "smtps":
		s.Port, s.Implicit = 465, true
	default:
		return s, fmt.Errorf("địa chỉ phải bắt đầu bằng smtp:// (STARTTLS) hoặc smtps:// (TLS), không phải %q", u.Scheme)
	}
	s.Host = u.Hostname()
	if s.Host == "" {
		return s, errors.New("thiếu tên máy chủ thư, ví dụ smtp://127.0.0.1:2525")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return s, fmt.Errorf("cổng %q không hợp lệ", p)
		}
		s.Port = n
	}
	if u.Path != "" && u.Path != "/" {
		return s, errors.New("địa chỉ máy chủ thư không có đường dẫn sau tên máy")
	}
	if u.User != nil {
		s.User = u.User.Username()
		s.Password, _ = u.User.Password()
		s.Auth = gomail.SMTPAuthPlain
	}
	q := u.Query()
	for k := range q {
		if k != "auth" {
			return s, fmt.Errorf("không biết tham số %q (chỉ có auth=plain|login|cram-md5|scram-sha-1|scram-sha-256|auto)", k)
		}
	}
	if a := q.Get("auth"); a != "" {
		t, ok := authTypes[strings.ToLower(a)]
		if !ok {
			return s, fmt.Errorf("auth=%q: chỉ nhận plain, login, cram-md5, scram-sha-1, scram-sha-256 hoặc auto", a)
		}
		if s.User == "" {
			return s, errors.New("có auth= mà không có tên đăng nhập (smtp://tên:mật-khẩu@máy-chủ)")
		}
		s.Auth = t
	}
	return s, nil
}

// Loopback reports whether host is this machine: "localhost" or a
// loopback address. Mail to it never crosses a network.
func Loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ParseFrom reads --mail-from: an address, with or without a name
// ("Bàn làm việc <canhbao@xa.gov.vn>").
func ParseFrom(raw string) (*mail.Address, error) {
	a, err := mail.ParseAddress(raw)
	if err != nil {
		return nil, fmt.Errorf("%q không phải địa chỉ thư, ví dụ canh-bao@xa.gov.vn hoặc \"Bàn làm việc <canh-bao@xa.gov.vn>\"", raw)
	}
	return a, nil
}

// MailConfig configures a Mailer.
type MailConfig struct {
	URL  string // --smtp-url
	From string // --mail-from
	// TLS is the base TLS configuration (nil: the system's roots); the
	// tests give their own certificate authority here.
	TLS *tls.Config
	// Dial replaces the dialler (nil: the network's); the tests use it to
	// reach an in-process server under another host name.
	Dial func(ctx context.Context, network, address string) (net.Conn, error)
	// Timeout bounds each connection and command (default 30 s).
	Timeout time.Duration
}

// Mailer sends alert mails through one SMTP server with wneessen/go-mail.
// On a host other than this machine, TLS is required: STARTTLS (refused
// if the server does not offer it) or TLS from the start (smtps://), with
// the server's certificate checked. On this machine (a local relay) the
// mail never leaves it: STARTTLS is used when offered, without checking
// the certificate (a relay's default one is often self-signed), and plain
// SMTP without authentication works.
type Mailer struct {
	smtp SMTP
	from *mail.Address
	cfg  MailConfig
}

// NewMailer checks cfg and makes a Mailer. Nothing is dialled yet.
func NewMailer(cfg MailConfig) (*Mailer, error) {
	s, err := ParseSMTPURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	from, err := ParseFrom(cfg.From)
	if err != nil {
		return nil, err
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	return &Mailer{smtp: s, from: from, cfg: cfg}, nil
}

// Server names the server for logs, without the password.
func (m *Mailer) Server() string {
	scheme := "smtp"
	if m.smtp.Implicit {
		scheme = "smtps"
	}
	return scheme + "://" + net.JoinHostPort(m.smtp.Host, strconv.Itoa(m.smtp.Port))
}

func (m *Mailer) client() (*gomail.Client, error) {
	tc := &tls.Config{}
	if m.cfg.TLS != nil {
		tc = m.cfg.TLS.Clone()
	}
	tc.ServerName = m.smtp.Host
	tc.MinVersion = tls.VersionTLS12
	opts := []gomail.Option{gomail.WithPort(m.smtp.Port), gomail.WithTimeout(m.cfg.Timeout)}
	switch {
	case m.smtp.Implicit:
		opts = append(opts, gomail.WithSSL())
	case Loopback(m.smtp.Host):
		tc.InsecureSkipVerify = true // the connection does not leave this machine
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	opts = append(opts, gomail.WithTLSConfig(tc))
	if m.smtp.User != "" {
		opts = append(opts, gomail.WithSMTPAuth(m.smtp.Auth), gomail.WithUsername(m.smtp.User), gomail.WithPassword(m.smtp.Password))
	}
	if dial := m.cfg.Dial; dial != nil {
		if m.smtp.Implicit { // go-mail leaves TLS to a dialler of one's own
			dial = func(ctx context.Context, network, address string) (net.Conn, error) {
				c, err := m.cfg.Dial(ctx, network, address)
				if err != nil {
					return nil, err
				}
				conn := tls.Client(c, tc)
				if err := conn.HandshakeContext(ctx); err != nil {
					c.Close()
					return nil, err
				}
				return conn, nil
			}
		}
		opts = append(opts, gomail.WithDialContextFunc(dial))
	}
	return gomail.NewClient(m.smtp.Host, opts...)
}

// Email is one alert mail.
type Email struct {
	To      string
	Subject string
	Body    string
}

// message builds a mail whose size depends only on its body's, subject's
// and addresses' lengths: base64 body, a Message-ID of fixed length, the
// date in a fixed-width format, no mailer name.
func (m *Mailer) message(e Email) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithEncoding(gomail.EncodingB64), gomail.WithCharset(gomail.CharsetUTF8), gomail.WithNoDefaultUserAgent())
	msg.SetAddrHeaderFromMailAddress(gomail.HeaderFrom, m.from)
	if err := msg.To(e.To); err != nil {
		return nil, fmt.Errorf("địa chỉ người nhận: %w", err)
	}
	msg.Subject(e.Subject)
	msg.SetDate()
	id := make([]byte, 16)
	rand.Read(id)
	_, domain, _ := strings.Cut(m.from.Address, "@")
	msg.SetMessageIDWithValue(fmt.Sprintf("%x@%s", id, domain))
	msg.SetGenHeader("Auto-Submitted", "auto-generated") // RFC 3834: no automatic replies
	msg.SetBodyString(gomail.TypeTextPlain, e.Body)
	return msg, nil
}

// Send sends the mails over one connection and returns each one's error
// (nil: the server accepted it). A connection that fails fails them all.
func (m *Mailer) Send(ctx context.Context, emails []Email) []error {
	errs := make([]error, len(emails))
	if len(emails) == 0 {
		return errs
	}
	c, err := m.client()
	if err != nil {
		return fill(errs, fmt.Errorf("cấu hình máy chủ thư: %w", err))
	}
	msgs := make([]*gomail.Msg, 0, len(emails))
	index := make([]int, 0, len(emails))
	for i, e := range emails {
		msg, err := m.message(e)
		if err != nil {
			errs[i] = err
			continue
		}
		msgs = append(msgs, msg)
		index = append(index, i)
	}
	if len(msgs) == 0 {
		return errs
	}
	ctx, cancel := context.WithTimeout(ctx, m.cfg.Timeout)
	defer cancel()
	sc, err := c.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return fill(errs, fmt.Errorf("không gửi được qua máy chủ thư %s: %w", m.Server(), err))
	}
	sendErr := c.SendWithSMTPClient(sc, msgs...)
	c.CloseWithSMTPClient(sc) // the mails are accepted or not by now
	perMessage := false
	for j, msg := range msgs {
		if msg.HasSendError() {
			errs[index[j]] = msg.SendError()
			perMessage = true
		}
	}
	if sendErr != nil && !perMessage { // the connection failed before any mail
		for _, i := range index {
			errs[i] = sendErr
		}
	}
	return errs
}

func fill(errs []error, err error) []error {
	for i := range errs {
		if errs[i] == nil {
			errs[i] = err
		}
	}
	return errs
}
