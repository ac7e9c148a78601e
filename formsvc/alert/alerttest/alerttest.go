// Package alerttest runs a real SMTP server in the test's process
// (emersion/go-smtp) and makes the certificates the tests' TLS needs.
package alerttest

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"io"
	"math/big"
	"mime"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Mail is one message the server accepted.
type Mail struct {
	From string
	To   []string
	Data []byte // exactly as received
	TLS  bool   // the session was encrypted
	User string // who authenticated, if anyone
}

// Header is the message's header.
func (m Mail) Header() mail.Header {
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		return nil
	}
	return msg.Header
}

// Subject is the decoded subject.
func (m Mail) Subject() string {
	s, _ := new(mime.WordDecoder).DecodeHeader(m.Header().Get("Subject"))
	return s
}

// Body is the decoded text of a single-part message.
func (m Mail) Body() string {
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		return ""
	}
	b, _ := io.ReadAll(msg.Body)
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "base64") {
		d, err := base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(string(b)))
		if err != nil {
			return ""
		}
		return string(d)
	}
	return string(b)
}

// Options configure a Server.
type Options struct {
	Addr     string      // where to listen (default 127.0.0.1:0): give the old address to restart a server
	TLS      *tls.Config // offered with STARTTLS (or from the start with Implicit)
	Implicit bool        // TLS from the first byte (smtps)
	User     string      // if set, AUTH PLAIN with Password is required
	Password string
}

// Server is an SMTP server in the test's process.
type Server struct {
	Addr    string
	srv     *smtp.Server
	mu      sync.Mutex
	got     []Mail
	arrived chan struct{} // closed (and replaced) when a mail arrives
	done    chan struct{}
}

// Start starts a server; the test's cleanup stops it.
func Start(tb testing.TB, o Options) *Server {
	tb.Helper()
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	var ln net.Listener
	var err error
	if o.Implicit {
		ln, err = tls.Listen("tcp", o.Addr, o.TLS)
	} else {
		ln, err = net.Listen("tcp", o.Addr)
	}
	if err != nil {
		tb.Fatalf("smtp listen: %v", err)
	}
	s := &Server{Addr: ln.Addr().String(), done: make(chan struct{}), arrived: make(chan struct{})}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		_, tlsOn := c.TLSConnectionState()
		return &session{s: s, o: o, tls: tlsOn}, nil
	}))
	s.srv.Domain = "mail.example"
	s.srv.ReadTimeout = 30 * time.Second
	s.srv.WriteTimeout = 30 * time.Second
	s.srv.MaxMessageBytes = 1 << 20
	s.srv.AllowInsecureAuth = true // the tests check who may send without TLS, not the server
	s.srv.ErrorLog = nopLogger{}
	if !o.Implicit {
		s.srv.TLSConfig = o.TLS
	}
	go func() {
		defer close(s.done)
		s.srv.Serve(ln)
	}()
	tb.Cleanup(s.Close)
	return s
}

// Close stops the server (the mail it accepted stays readable).
func (s *Server) Close() {
	s.srv.Close()
	<-s.done
}

// Mails returns the mail accepted so far. The server stores a mail before
// it answers the DATA command, so a client that got its answer finds its
// mail here: no waiting.
func (s *Server) Mails() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.got...)
}

// Wait returns once n mails have arrived (for a service that sends on its
// own time), or when ctx ends.
func (s *Server) Wait(ctx context.Context, n int) ([]Mail, error) {
	for {
		s.mu.Lock()
		got, arrived := append([]Mail(nil), s.got...), s.arrived
		s.mu.Unlock()
		if len(got) >= n {
			return got, nil
		}
		select {
		case <-arrived:
		case <-ctx.Done():
			return got, ctx.Err()
		}
	}
}

// Take returns the mail accepted so far and forgets it.
func (s *Server) Take() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	got := s.got
	s.got = nil
	return got
}

type session struct {
	s    *Server
	o    Options
	tls  bool
	user string
	m    Mail
}

func (x *session) AuthMechanisms() []string {
	if x.o.User == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (x *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != x.o.User || pass != x.o.Password {
			return errors.New("sai tên hoặc mật khẩu")
		}
		x.user = user
		return nil
	}), nil
}

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	if x.o.User != "" && x.user == "" {
		return smtp.ErrAuthRequired
	}
	x.m = Mail{From: from, User: x.user}
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.m.To = append(x.m.To, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.m.Data = b
	x.m.TLS = x.tls
	x.s.mu.Lock()
	x.s.got = append(x.s.got, x.m)
	close(x.s.arrived)
	x.s.arrived = make(chan struct{})
	x.s.mu.Unlock()
	x.m = Mail{}
	return nil
}

func (x *session) Reset()        { x.m = Mail{} }
func (x *session) Logout() error { return nil }

type nopLogger struct{}

func (nopLogger) Printf(string, ...any) {}
func (nopLogger) Println(...any)        {}

// TLSPair makes a certificate authority and a server certificate for
// hosts: the server's configuration and the roots a client trusts.
func TLSPair(tb testing.TB, hosts ...string) (*tls.Config, *x509.CertPool) {
	tb.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "formsvc test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		tb.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: hosts[0]},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			leaf.IPAddresses = append(leaf.IPAddresses, ip)
		} else {
			leaf.DNSNames = append(leaf.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	if err != nil {
		tb.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(caCert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}, roots
}
