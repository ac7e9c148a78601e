package console_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/pquerna/otp/totp"

	"github.com/hoaphong/phongchongmaidam/data"
	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/console"
	"github.com/hoaphong/phongchongmaidam/formsvc/phototest"
	"github.com/hoaphong/phongchongmaidam/formsvc/web"
	"github.com/hoaphong/phongchongmaidam/internal/teststore"
)

const password = "mat-khau-du-dai-2026"

type app struct {
	t    testing.TB
	srv  *httptest.Server
	db   *teststore.DB
	keys *formsvc.Keys

	mu    sync.Mutex
	clock time.Time                  // the console's clock: it moves only when the test moves it
	totp  map[string]string          // second-factor secrets of the accounts that have one
	waits map[string][]time.Duration // the login waits asked for, by client address
}

// clientHeader carries a test browser's client address, as the trusted
// proxy in front of the service (Caddy, nginx) would.
const clientHeader = "X-Real-Ip"

// now is the console's clock: the time the app was made, moved on only
// by advance.
func (a *app) now() time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.clock
}

// advance moves the console's clock on (by a step, so that the next
// second-factor code is of a step not used before).
func (a *app) advance(d time.Duration) {
	a.mu.Lock()
	a.clock = a.clock.Add(d)
	a.mu.Unlock()
}

// intoStep moves the clock on to the next instant that is d into a
// second-factor time step.
func (a *app) intoStep(d time.Duration) {
	a.mu.Lock()
	next := a.clock.Truncate(totpStep).Add(d)
	if !next.After(a.clock) {
		next = next.Add(totpStep)
	}
	a.clock = next
	a.mu.Unlock()
}

// code is the current second-factor code for secret, on a step of its own.
func (a *app) code(secret string) string {
	a.t.Helper()
	a.advance(totpStep)
	c, err := totp.GenerateCode(secret, a.now())
	if err != nil {
		a.t.Fatal(err)
	}
	return c
}

const totpStep = 30 * time.Second

// waitsOf returns the login waits asked for from address ip.
func (a *app) waitsOf(ip string) []time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.waits[ip]
}

// newApp serves the console behind a trusted proxy (loopback) that names
// each test browser's address in clientHeader, with the console's clock
// and login waits in the test's hands: a wait is recorded, not slept.
// Logins are limited generously unless edit says otherwise. The admin
// quantri has the second factor, as every admin must.
func newApp(t testing.TB, edit ...func(*console.Config)) *app {
	t.Helper()
	spec, err := formsvc.LoadSpec(data.FormsYAML, data.ReferralsYAML)
	if err != nil {
		t.Fatal(err)
	}
	return newAppWith(t, spec, edit...)
}

// newAppWith is newApp on the forms and kinds of spec: the store, the
// public API and the console all take them from it.
func newAppWith(t testing.TB, spec *formsvc.Spec, edit ...func(*console.Config)) *app {
	t.Helper()
	dir := t.TempDir()
	keys, err := formsvc.LoadOrCreateKeyFile(filepath.Join(dir, "k"))
	if err != nil {
		t.Fatal(err)
	}
	db := teststore.Open(t, keys, teststore.Spec(spec))
	a := &app{t: t, db: db, keys: keys, clock: time.Now().Truncate(time.Second),
		totp: map[string]string{}, waits: map[string][]time.Duration{}}
	ccfg := console.Config{Spec: spec, Store: db, SessionStore: db.SessionStore(), Now: a.now, Shared: db.SharedState(), AddressKey: keys.Address,
		LoginLimit: 1000, LoginLimitPer: time.Hour, LoginGlobalLimit: 10000, LoginGlobalPer: time.Minute,
		LoginWait: func(ctx context.Context, d time.Duration) error {
			a.mu.Lock()
			defer a.mu.Unlock()
			ip := middleware.GetClientIP(ctx)
			a.waits[ip] = append(a.waits[ip], d)
			return nil
		}}
	for _, e := range edit {
		e(&ccfg)
	}
	con := console.New(ccfg)
	s := web.NewServer(web.Config{Spec: spec, Store: db, Keys: keys, SiteDir: dir, Console: con.Handler(),
		ClientIPHeader: clientHeader, TrustedProxies: []string{"127.0.0.1/32", "::1/128"}})
	a.srv = httptest.NewServer(s.Handler())
	t.Cleanup(func() { a.srv.Close(); db.Close() })
	for _, o := range []struct{ name, role string }{{"quantri", "admin"}, {"congan", "police"}, {"xahoi", "social"}} {
		a.addOfficer(o.name, o.role)
	}
	a.enrolTOTP("quantri")
	return a
}

func (a *app) addOfficer(name, role string) *formsvc.Officer {
	o, hash, err := formsvc.NewOfficer(context.Background(), name, role, password)
	if err != nil {
		a.t.Fatal(err)
	}
	if err := a.db.CreateOfficer(context.Background(), o, hash); err != nil {
		a.t.Fatal(err)
	}
	return o
}

// enrolTOTP gives an account the second factor, as the account page would.
func (a *app) enrolTOTP(name string) string {
	a.t.Helper()
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "test", AccountName: name})
	if err != nil {
		a.t.Fatal(err)
	}
	o, _, err := a.db.OfficerByUsername(context.Background(), name)
	if err != nil {
		a.t.Fatal(err)
	}
	if err := a.db.SetTOTP(context.Background(), o.ID, key.Secret(), true, nil); err != nil {
		a.t.Fatal(err)
	}
	a.mu.Lock()
	a.totp[name] = key.Secret()
	a.mu.Unlock()
	return key.Secret()
}

// submit sends a tip or support request through the public API and
// returns its receipt.
func (a *app) submit(path, body string) string {
	a.t.Helper()
	res, err := http.Post(a.srv.URL+path, "application/json", strings.NewReader(body))
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 201 {
		b, _ := io.ReadAll(res.Body)
		a.t.Fatalf("submit: %d %s", res.StatusCode, b)
	}
	doc, _ := io.ReadAll(res.Body)
	s := string(doc)
	i := strings.Index(s, `"receipt":"`)
	return s[i+11 : i+30]
}

func (a *app) tip() (receipt, ref string) {
	r := a.submit("/api/v1/tips", `{"category":"lodging","location":"Nhà nghỉ X","description":"Có người bị giữ giấy tờ","minors_involved":true}`)
	return r, a.refOf(r)
}

func (a *app) support() (receipt, ref string) {
	r := a.submit("/api/v1/support-requests", `{"services":["hiv","job"],"contact_method":"none","consent":true,"message":"Tôi cần xét nghiệm"}`)
	return r, a.refOf(r)
}

// refOf is the reference (TB-2026-0042) of the submission of receipt: the
// console's addresses name cases by it.
func (a *app) refOf(receipt string) string {
	r, _ := formsvc.ParseReceipt(receipt)
	s, err := a.db.SubmissionByReceipt(context.Background(), formsvc.NewReceiptHasher(a.keys.Receipt).Hash(r))
	if err != nil {
		a.t.Fatal(err)
	}
	return s.Ref
}

// browser is an officer's browser: a cookie jar, and the same-origin
// header a browser sends with its forms; ip is its client address ("":
// the proxy named none).
type browser struct {
	a  *app
	c  *http.Client
	ip string
}

func (a *app) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{a: a, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// browserAt is a browser at client address ip.
func (a *app) browserAt(ip string) *browser {
	b := a.browser()
	b.ip = ip
	return b
}

func (b *browser) get(path string) (*http.Response, *goquery.Document) {
	b.a.t.Helper()
	req, _ := http.NewRequest("GET", b.a.srv.URL+path, nil)
	if b.ip != "" {
		req.Header.Set(clientHeader, b.ip)
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.a.t.Fatal(err)
	}
	defer res.Body.Close()
	doc, _ := goquery.NewDocumentFromReader(res.Body)
	return res, doc
}

// token takes the CSRF token from a page, as a form would carry it.
func (b *browser) token(page string) string {
	b.a.t.Helper()
	_, doc := b.get(page)
	tok, ok := doc.Find(`input[name="csrf_token"]`).First().Attr("value")
	if !ok {
		b.a.t.Fatalf("no CSRF token on %s", page)
	}
	return tok
}

// post submits a form taken from page (for its token) to path.
func (b *browser) post(page, path string, v url.Values) (*http.Response, *goquery.Document) {
	b.a.t.Helper()
	v.Set("csrf_token", b.token(page))
	return b.postRaw(path, v, "Origin", b.a.srv.URL)
}

func (b *browser) postRaw(path string, v url.Values, headers ...string) (*http.Response, *goquery.Document) {
	b.a.t.Helper()
	req, _ := http.NewRequest("POST", b.a.srv.URL+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if b.ip != "" {
		req.Header.Set(clientHeader, b.ip)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.a.t.Fatal(err)
	}
	defer res.Body.Close()
	doc, _ := goquery.NewDocumentFromReader(res.Body)
	return res, doc
}

func (b *browser) login(username, pw string) *http.Response {
	b.a.t.Helper()
	res, _ := b.post("/officer/login", "/officer/login", url.Values{"username": {username}, "password": {pw}})
	return res
}

// loggedIn logs username in with the test password, and the second
// factor if the account has it.
func (a *app) loggedIn(username string) *browser {
	a.t.Helper()
	b := a.browser()
	b.logIn(username, password)
	return b
}

// logIn logs in with pw and, if the account has one, a fresh second-factor
// code; it fails the test unless the inbox is where it lands.
func (b *browser) logIn(username, pw string) {
	b.a.t.Helper()
	res := b.login(username, pw)
	b.a.mu.Lock()
	secret := b.a.totp[username]
	b.a.mu.Unlock()
	if secret != "" && res.StatusCode == http.StatusSeeOther && res.Header.Get("Location") == "/officer/login/totp" {
		res, _ = b.post("/officer/login/totp", "/officer/login/totp", url.Values{"code": {b.a.code(secret)}})
	}
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/officer/" {
		b.a.t.Fatalf("login %s: %d -> %q", username, res.StatusCode, res.Header.Get("Location"))
	}
}

func (a *app) audit() []formsvc.AuditEntry {
	a.t.Helper()
	entries, _, err := a.db.AuditLog(context.Background(), 0, 1000)
	if err != nil {
		a.t.Fatal(err)
	}
	return entries
}

func hasAudit(entries []formsvc.AuditEntry, who, action, target string) bool {
	for _, e := range entries {
		if e.Username == who && e.Action == action && (target == "" || e.Target == target) {
			return true
		}
	}
	return false
}

// tipWithPhoto sends a tip with one photo, as a browser's form would.
func (a *app) tipWithPhoto() string {
	a.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("category", "massage")
	mw.WriteField("location", "Tiệm Y")
	mw.WriteField("description", "Ảnh chụp biển hiệu và người đứng mời chào")
	w, _ := mw.CreateFormFile("attachments", "anh.jpg")
	w.Write(phototest.JPEGWithGPS(a.t, 32, 16, 1))
	mw.Close()
	req, _ := http.NewRequest("POST", a.srv.URL+"/api/v1/tips", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	var m map[string]string
	json.NewDecoder(res.Body).Decode(&m)
	if res.StatusCode != 201 {
		a.t.Fatalf("tip with photo: %d", res.StatusCode)
	}
	return a.refOf(m["receipt"])
}
