package web_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/hoaphong/phongchongmaidam/data"
	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/web"
	"github.com/hoaphong/phongchongmaidam/internal/teststore"
)

// syncBuffer collects log output from concurrent handlers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type env struct {
	t    *testing.T
	srv  *httptest.Server
	db   *teststore.DB
	keys *formsvc.Keys
	logs *syncBuffer
	spec *formsvc.Spec
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvWith(t, nil)
}

// newEnvWith makes a server whose configuration edit may change.
func newEnvWith(t *testing.T, edit func(*web.Config)) *env {
	t.Helper()
	spec, err := formsvc.ParseSpec(data.FormsYAML)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	keys, err := formsvc.LoadOrCreateKeyFile(filepath.Join(dir, "formsvc.key"))
	if err != nil {
		t.Fatal(err)
	}
	db := teststore.Open(t, keys)
	logs := &syncBuffer{}
	cfg := web.Config{
		Spec: spec, Store: db, Keys: keys, SiteDir: fixtureSite, Shared: db.SharedState(),
		Logger: slog.New(slog.NewTextHandler(logs, nil)),
		Now:    func() time.Time { return time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC) },
	}
	if edit != nil {
		edit(&cfg)
	}
	s := web.NewServer(cfg)
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		srv.Close()
		db.Close()
	})
	return &env{t: t, srv: srv, db: db, keys: keys, logs: logs, spec: spec}
}

// count returns the number of stored submissions.
func (e *env) count() int {
	e.t.Helper()
	return e.db.Count(e.t, "submissions", "photos")
}

// post sends a body with a content type and optional extra headers.
func (e *env) post(path, contentType string, body io.Reader, headers ...string) *http.Response {
	e.t.Helper()
	req, err := http.NewRequest("POST", e.srv.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := noRedirects.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { res.Body.Close() })
	return res
}

// noRedirects shows a plain post's 303 to its receipt page as it is.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// receiptPage follows an accepted plain post's 303 to the page that shows
// its receipt once.
func (e *env) receiptPage(res *http.Response) *http.Response {
	e.t.Helper()
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/api/v1/receipts/") {
		e.t.Fatalf("plain post: Status = %d, Location %q; want 303 to /api/v1/receipts/…", res.StatusCode, loc)
	}
	page, err := noRedirects.Get(e.srv.URL + loc)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { page.Body.Close() })
	return page
}

// encoding is one of the three body types of the contract.
type encoding struct {
	name   string
	encode func(t *testing.T, v formsvc.Values, files map[string][]byte) (string, io.Reader)
}

var encodings = []encoding{
	{"urlencoded", func(t *testing.T, v formsvc.Values, _ map[string][]byte) (string, io.Reader) {
		return "application/x-www-form-urlencoded", strings.NewReader(url.Values(v).Encode())
	}},
	{"multipart", func(t *testing.T, v formsvc.Values, files map[string][]byte) (string, io.Reader) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for k, vs := range v {
			for _, s := range vs {
				mw.WriteField(k, s)
			}
		}
		for name, b := range files {
			w, err := mw.CreateFormFile("attachments", name)
			if err != nil {
				t.Fatal(err)
			}
			w.Write(b)
		}
		mw.Close()
		return mw.FormDataContentType(), &buf
	}},
	{"json", func(t *testing.T, v formsvc.Values, _ map[string][]byte) (string, io.Reader) {
		obj := map[string]any{}
		for k, vs := range v {
			switch {
			case k == "services":
				obj[k] = vs
			case vs[0] == "true" || vs[0] == "false":
				obj[k] = vs[0] == "true"
			default:
				obj[k] = vs[0]
			}
		}
		b, err := json.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		return "application/json", bytes.NewReader(b)
	}},
}

func validTip() formsvc.Values {
	return formsvc.Values{
		"category":        {"massage"},
		"location":        {"Tiệm xoa bóp cạnh chợ, thôn 2"},
		"description":     {"Buổi tối có nhiều người lạ ra vào, nghe nói có em gái còn nhỏ tuổi."},
		"observed_at":     {"2026-11-20"},
		"minors_involved": {"true"},
	}
}

func validSupport() formsvc.Values {
	return formsvc.Values{
		"services":       {"hiv", "legal_aid"},
		"contact_method": {"zalo"},
		"contact":        {"0912 345 678"},
		"consent":        {"true"},
		"message":        {"Tôi muốn được xét nghiệm và hỏi về giấy tờ."},
	}
}

func decodeJSON(t *testing.T, res *http.Response) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.NewDecoder(res.Body).Decode(&m); err != nil {
		t.Fatalf("decode JSON answer: %v", err)
	}
	return m
}

func document(t *testing.T, res *http.Response) *goquery.Document {
	t.Helper()
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("Content-Type = %q, want an HTML page", ct)
	}
	doc, err := goquery.NewDocumentFromReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}
