package alert_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"strings"
	"testing"

	"github.com/hoaphong/phongchongmaidam/formsvc/alert"
	"github.com/hoaphong/phongchongmaidam/formsvc/alert/alerttest"
)

// to reaches the in-process server under any host name: the mailer then
// behaves as it does for that name (TLS required unless it is loopback).
func to(addr string) func(ctx context.Context, network, _ string) (net.Conn, error) {
	return func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
}

func send(t *testing.T, cfg alert.MailConfig) error {
	t.Helper()
	if cfg.From == "" {
		cfg.From = "canh-bao@xa.example"
	}
	m, err := alert.NewMailer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	errs := m.Send(context.Background(), []alert.Email{{To: "congan@xa.example", Subject: "Bàn làm việc cán bộ: có hồ sơ mới", Body: "Xin chào"}})
	return errs[0]
}

func TestMailerTLSPolicy(t *testing.T) {
	serverTLS, roots := alerttest.TLSPair(t, "mail.example", "127.0.0.1")
	_, otherRoots := alerttest.TLSPair(t, "mail.example")
	for _, c := range []struct {
		name    string
		server  alerttest.Options
		url     string
		roots   *x509.CertPool
		viaName bool // dial the server under the name in url
		wantErr string
		wantTLS bool
	}{
		{name: "local relay, plain, no auth", url: "smtp://%s"},
		{name: "local relay with auth", server: alerttest.Options{User: "relay", Password: "mat-khau"}, url: "smtp://relay:mat-khau@%s"},
		{name: "local relay, wrong password", server: alerttest.Options{User: "relay", Password: "mat-khau"}, url: "smtp://relay:sai@%s", wantErr: "AUTH"},
		{name: "local relay offering STARTTLS with its own certificate", server: alerttest.Options{TLS: serverTLS}, url: "smtp://%s", wantTLS: true},
		{name: "remote without STARTTLS is refused", url: "smtp://u:p@mail.example:587", viaName: true, wantErr: "STARTTLS"},
		{name: "remote with STARTTLS", server: alerttest.Options{TLS: serverTLS, User: "u", Password: "p"}, url: "smtp://u:p@mail.example:587",
			viaName: true, roots: roots, wantTLS: true},
		{name: "remote with an untrusted certificate", server: alerttest.Options{TLS: serverTLS}, url: "smtp://mail.example:587",
			viaName: true, roots: otherRoots, wantErr: "certificate"},
		{name: "smtps", server: alerttest.Options{TLS: serverTLS, Implicit: true, User: "u", Password: "p"}, url: "smtps://u:p@mail.example",
			viaName: true, roots: roots, wantTLS: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := alerttest.Start(t, c.server)
			cfg := alert.MailConfig{URL: c.url}
			if strings.Contains(c.url, "%s") {
				cfg.URL = strings.Replace(c.url, "%s", srv.Addr, 1)
			}
			if c.viaName {
				cfg.Dial = to(srv.Addr)
			}
			if c.roots != nil {
				cfg.TLS = &tls.Config{RootCAs: c.roots}
			}
			err := send(t, cfg)
			got := srv.Mails()
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Errorf("err = %v, want one about %q", err, c.wantErr)
				}
				if len(got) != 0 {
					t.Errorf("%d mails delivered; want none", len(got))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].TLS != c.wantTLS || got[0].User != c.server.User {
				t.Fatalf("delivered %+v; want one mail, TLS %v, user %q", got, c.wantTLS, c.server.User)
			}
			if got[0].Body() != "Xin chào" || got[0].Header().Get("Auto-Submitted") != "auto-generated" {
				t.Errorf("mail:\n%s", got[0].Data)
			}
		})
	}
}
