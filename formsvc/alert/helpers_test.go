package alert_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hoaphong/phongchongmaidam/data"
	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/alert"
	"github.com/hoaphong/phongchongmaidam/formsvc/alert/alerttest"
	"github.com/hoaphong/phongchongmaidam/formsvc/web"
	"github.com/hoaphong/phongchongmaidam/internal/teststore"
)

const (
	consoleURL = "https://xa.example/officer/"
	hookSecret = "bi-mat-cua-webhook-du-32-byte-tro-len-2026"
	password   = "mat-khau-du-dai-2026"
	delay      = 5 * time.Minute
)

// The words of a tip and a support request that no alert may carry.
var (
	tipJSON     = `{"category":"lodging","location":"Nhà nghỉ Hoa Sen thôn Đông","description":"Chủ nhà nghỉ giữ giấy tờ của ba cô gái trẻ","contact":"0912345678"}`
	supportJSON = `{"services":["hiv","job"],"contact_method":"phone","contact":"0987654321","consent":true,"message":"Tôi cần xét nghiệm và tìm việc làm"}`
	secretWords = []string{"lodging", "Nhà nghỉ", "Hoa Sen", "thôn Đông", "giấy tờ", "cô gái", "0912345678",
		"hiv", "HIV", "job", "0987654321", "xét nghiệm", "tìm việc", "TB-", "HT-", "khách sạn", "nhà trọ", "PrEP", "Tìm việc"}
)

// clock is the test's time: the web server stamps submissions with it and
// the dispatcher plans by it.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func (c *clock) add(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return c.t
}

// hook is a webhook receiver that checks each body's signature.
type hook struct {
	t      testing.TB
	srv    *httptest.Server
	mu     sync.Mutex
	bodies [][]byte
	status int // the answer (200 unless set)
}

type event struct {
	alert.Event
	Size int
}

func newHook(t testing.TB) *hook {
	h := &hook{t: t, status: http.StatusOK}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if !alert.Verify([]byte(hookSecret), b, r.Header.Get(alert.SignatureHeader)) {
			t.Errorf("webhook body with a wrong signature %q", r.Header.Get(alert.SignatureHeader))
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		h.mu.Lock()
		defer h.mu.Unlock()
		if h.status != http.StatusOK {
			w.WriteHeader(h.status)
			return
		}
		h.bodies = append(h.bodies, b)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hook) take() []event {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []event
	for _, b := range h.bodies {
		var e event
		if err := json.Unmarshal(b, &e.Event); err != nil {
			h.t.Fatalf("webhook body %q: %v", b, err)
		}
		e.Size = len(b)
		out = append(out, e)
	}
	h.bodies = nil
	return out
}

// env is the service as the tests drive it: a real database file, the real
// router for the public API, an SMTP server and a webhook receiver in the
// test's process, and the dispatcher on the test's clock.
type env struct {
	t        *testing.T
	dir      string
	db       *teststore.DB
	keys     *formsvc.Keys
	api      *httptest.Server
	smtp     *alerttest.Server
	hook     *hook
	clock    *clock
	d        *alert.Dispatcher
	officers map[string]int64
	cfg      alert.Config
}

// start is 2026-11-30 08:00 in Vietnam: after the day's digest time, so
// that tests of other alerts see the digest made once, then not again.
var start = time.Date(2026, 11, 30, 1, 0, 0, 0, time.UTC)

func newEnv(t *testing.T, edit ...func(*alert.Config)) *env {
	t.Helper()
	e := &env{t: t, dir: t.TempDir(), clock: &clock{t: start}, officers: map[string]int64{}}
	var err error
	if e.keys, err = formsvc.LoadOrCreateKeyFile(filepath.Join(e.dir, "formsvc.key")); err != nil {
		t.Fatal(err)
	}
	e.openDB()
	spec, err := formsvc.ParseSpec(data.FormsYAML)
	if err != nil {
		t.Fatal(err)
	}
	srv := web.NewServer(web.Config{Spec: spec, Store: storeProxy{e}, Keys: e.keys, SiteDir: e.dir, Now: e.clock.now})
	e.api = httptest.NewServer(srv.Handler())
	t.Cleanup(e.api.Close)
	e.smtp = alerttest.Start(t, alerttest.Options{})
	e.hook = newHook(t)
	e.cfg = alert.Config{Delay: delay, DigestAt: alert.DefaultDigestAt, OverdueAfter: 3 * 24 * time.Hour, Text: alert.Text{ConsoleURL: consoleURL}, Now: e.clock.now}
	e.cfg.Mailer = e.mailer("smtp://" + e.smtp.Addr)
	if e.cfg.Webhook, err = alert.NewWebhook(e.hook.srv.URL, []byte(hookSecret), nil); err != nil {
		t.Fatal(err)
	}
	for _, f := range edit {
		f(&e.cfg)
	}
	e.restart()
	for _, o := range []struct{ name, role, email string }{
		{"quantri", "admin", "quantri@xa.example"},
		{"congan", "police", "congan@xa.example"},
		{"xahoi", "social", "xahoi@xa.example"},
	} {
		e.addOfficer(o.name, o.role, o.email)
	}
	e.run() // the first round places everyone's cursors and makes the day's digest
	e.smtp.Take()
	e.hook.take()
	return e
}

func (e *env) openDB() {
	e.db = teststore.Open(e.t, e.keys)
}

// restart makes a new dispatcher on the same database, as a restarted
// service would.
func (e *env) restart() {
	cfg := e.cfg
	cfg.Store = e.db
	e.d = alert.New(cfg)
}

// reopen closes and opens the database again, then restarts the
// dispatcher.
func (e *env) reopen() {
	if err := e.db.Close(); err != nil {
		e.t.Fatal(err)
	}
	db, err := e.db.Reopen(e.t, e.keys)
	if err != nil {
		e.t.Fatal(err)
	}
	e.db = db
	e.restart()
}

func (e *env) mailer(url string) *alert.Mailer {
	m, err := alert.NewMailer(alert.MailConfig{URL: url, From: "Bàn làm việc <canh-bao@xa.example>"})
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

// storeProxy lets the web server reach the database the env has open now
// (reopen replaces it).
type storeProxy struct{ e *env }

func (p storeProxy) CreateSubmission(ctx context.Context, s *formsvc.Submission, h []byte) error {
	return p.e.db.CreateSubmission(ctx, s, h)
}
func (p storeProxy) Ping(ctx context.Context) error { return p.e.db.Ping(ctx) }
func (p storeProxy) SubmissionByReceipt(ctx context.Context, h []byte) (*formsvc.Submission, error) {
	return p.e.db.SubmissionByReceipt(ctx, h)
}
func (p storeProxy) Messages(ctx context.Context, s *formsvc.Submission) ([]formsvc.Message, error) {
	return p.e.db.Messages(ctx, s)
}
func (p storeProxy) AddMessage(ctx context.Context, s *formsvc.Submission, m *formsvc.Message) error {
	return p.e.db.AddMessage(ctx, s, m)
}

func (e *env) addOfficer(name, role, email string) int64 {
	e.t.Helper()
	o, hash, err := formsvc.NewOfficer(context.Background(), name, role, password)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.db.CreateOfficer(context.Background(), o, hash); err != nil {
		e.t.Fatal(err)
	}
	if email != "" {
		if err := e.db.SetAlertEmail(context.Background(), o.ID, email); err != nil {
			e.t.Fatal(err)
		}
	}
	e.officers[name] = o.ID
	return o.ID
}

func (e *env) run() alert.Report {
	e.t.Helper()
	r, err := e.d.RunOnce(context.Background())
	if err != nil {
		e.t.Fatalf("RunOnce at %s: %v", e.clock.now().Format(time.RFC3339), err)
	}
	return r
}

// post sends a JSON body to the public API and returns the decoded answer.
func (e *env) post(path, body string) map[string]any {
	e.t.Helper()
	res, err := http.Post(e.api.URL+path, "application/json", strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	var m map[string]any
	json.NewDecoder(res.Body).Decode(&m)
	if res.StatusCode != http.StatusCreated {
		e.t.Fatalf("POST %s: %d %v", path, res.StatusCode, m)
	}
	return m
}

func (e *env) tip() string { return e.post("/api/v1/tips", tipJSON)["receipt"].(string) }
func (e *env) support() string {
	return e.post("/api/v1/support-requests", supportJSON)["receipt"].(string)
}

// submission reads back the record of a receipt.
func (e *env) submission(receipt string) *formsvc.Submission {
	e.t.Helper()
	r, _ := formsvc.ParseReceipt(receipt)
	s, err := e.db.SubmissionByReceipt(context.Background(), formsvc.NewReceiptHasher(e.keys.Receipt).Hash(r))
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

// byRecipient groups mail by its one recipient.
func byRecipient(t *testing.T, mails []alerttest.Mail) map[string][]alerttest.Mail {
	t.Helper()
	out := map[string][]alerttest.Mail{}
	for _, m := range mails {
		if len(m.To) != 1 {
			t.Fatalf("mail to %v: want one recipient", m.To)
		}
		out[m.To[0]] = append(out[m.To[0]], m)
	}
	return out
}

// noSecrets fails if a mail holds anything of a record.
func noSecrets(t *testing.T, m alerttest.Mail, also ...string) {
	t.Helper()
	text := string(m.Data) + m.Body() + m.Subject()
	for _, w := range append(secretWords, also...) {
		if strings.Contains(text, w) {
			t.Errorf("mail to %v holds %q:\n%s", m.To, w, m.Body())
		}
	}
}
