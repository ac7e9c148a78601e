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
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/hoaphong/phongchongmaidam/data"
	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/console"
	"github.com/hoaphong/phongchongmaidam/formsvc/phototest"
	"github.com/hoaphong/phongchongmaidam/formsvc/sqlite"
	"github.com/hoaphong/phongchongmaidam/formsvc/web"
)

const password = "mat-khau-du-dai-2026"

type app struct {
	t    *testing.T
	srv  *httptest.Server
	db   *sqlite.DB
	keys *formsvc.Keys
}

func newApp(t *testing.T, edit ...func(*console.Config)) *app {
	t.Helper()
	spec, err := formsvc.ParseSpec(data.FormsYAML)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	keys, err := formsvc.LoadOrCreateKeyFile(filepath.Join(dir, "k"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "db"), keys)
	if err != nil {
		t.Fatal(err)
	}
	a := &app{t: t, db: db, keys: keys}
	ccfg := console.Config{Spec: spec, Store: db, SessionStore: db.SessionStore(), LoginLimit: 1000, LoginLimitPer: time.Hour}
	for _, e := range edit {
		e(&ccfg)
	}
	con := console.New(ccfg)
	s := web.NewServer(web.Config{Spec: spec, Store: db, Keys: keys, SiteDir: dir, Console: con.Handler()})
	a.srv = httptest.NewServer(s.Handler())
	t.Cleanup(func() { a.srv.Close(); db.Close() })
	for _, o := range []struct{ name, role string }{{"quantri", "admin"}, {"congan", "police"}, {"xahoi", "social"}} {
		a.addOfficer(o.name, o.role)
	}
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
// header a browser sends with its forms.
type browser struct {
	a *app
	c *http.Client
}

func (a *app) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{a: a, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) get(path string) (*http.Response, *goquery.Document) {
	b.a.t.Helper()
	res, err := b.c.Get(b.a.srv.URL + path)
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

func (a *app) loggedIn(username string) *browser {
	a.t.Helper()
	b := a.browser()
	if res := b.login(username, password); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/officer/" {
		a.t.Fatalf("login %s: %d -> %q", username, res.StatusCode, res.Header.Get("Location"))
	}
	return b
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
