package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hoaphong/phongchongmaidam/data"
	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/phototest"
	"github.com/hoaphong/phongchongmaidam/formsvc/web"
	"github.com/hoaphong/phongchongmaidam/internal/teststore"
)

// The decoders and validation, fuzzed through the real router: whatever
// the body, the answer is one of the contract's statuses, never a 500.
var allowed = map[int]bool{201: true, 400: true, 404: true, 413: true, 415: true, 422: true}

// fuzzHandler is one server for every input of the process: a database
// per input made fuzzing crawl at a few executions a second.
func fuzzHandler(t *testing.T) http.Handler {
	t.Helper()
	fuzzOnce.Do(func() { fuzzH, fuzzErr = newFuzzServer(t, fixtureSite) })
	if fuzzErr != nil {
		t.Fatal(fuzzErr)
	}
	return fuzzH
}

var (
	fuzzOnce    sync.Once
	fuzzH       http.Handler
	fuzzErr     error
	fuzzCleanup = func() {}
)

func newFuzzServer(t *testing.T, site string) (http.Handler, error) {
	spec, err := formsvc.ParseSpec(data.FormsYAML)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "formsvc-fuzz-*")
	if err != nil {
		return nil, err
	}
	keys, err := formsvc.LoadOrCreateKeyFile(filepath.Join(dir, "formsvc.key"))
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	db, closeDB, err := teststore.OpenForProcess(t, keys)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	fuzzCleanup = func() {
		closeDB()
		os.RemoveAll(dir)
	}
	return web.NewServer(web.Config{Spec: spec, Store: db, Keys: keys, SiteDir: site,
		Now: func() time.Time { return time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC) }}).Handler(), nil
}

func check(t *testing.T, h http.Handler, path, ct string, body []byte) {
	req := httptest.NewRequest("POST", path, bytes.NewReader(body))
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Accept", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if !allowed[rec.Code] {
		t.Fatalf("POST %s (%s) %q: Status = %d", path, ct, body, rec.Code)
	}
}

func FuzzTipJSON(f *testing.F) {
	for _, s := range []string{`{"category":"karaoke","location":"x","description":"mười ký tự đủ"}`, `{}`, `[]`, `null`,
		`{"services":["a",1]}`, `{"category":{"x":1}}`, `{"minors_involved":"maybe"}`, "{\"location\":\"\xff\"}", `{"a":1e999}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		h := fuzzHandler(t)
		check(t, h, "/api/v1/tips", "application/json", body)
		check(t, h, "/api/v1/support-requests", "application/json", body)
		check(t, h, "/api/v1/follow-up", "application/json", body)
	})
}

func FuzzTipURLEncoded(f *testing.F) {
	for _, s := range []string{"category=karaoke&location=x&description=mot+hai+ba+bon", "", "%zz", "a=%FF", "services=job&services=hiv&consent=on&contact_method=phone&contact=0912"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		h := fuzzHandler(t)
		check(t, h, "/api/v1/tips", "application/x-www-form-urlencoded", body)
		check(t, h, "/api/v1/support-requests", "application/x-www-form-urlencoded", body)
		check(t, h, "/api/v1/follow-up/messages", "application/x-www-form-urlencoded", body)
	})
}

func FuzzTipMultipart(f *testing.F) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.SetBoundary("fuzzboundary")
	mw.WriteField("category", "online")
	mw.WriteField("location", "facebook")
	mw.WriteField("description", "có người rủ rê làm việc nhẹ lương cao")
	w, _ := mw.CreateFormFile("attachments", "a.jpg")
	w.Write(phototest.JPEGWithGPS(f, 8, 8, 3))
	mw.Close()
	f.Add(buf.Bytes())
	f.Add([]byte("--fuzzboundary--\r\n"))
	f.Add([]byte("--fuzzboundary\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"x\"\r\n\r\nGIF89a\r\n--fuzzboundary--\r\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		check(t, fuzzHandler(t), "/api/v1/tips", "multipart/form-data; boundary=fuzzboundary", body)
	})
}
