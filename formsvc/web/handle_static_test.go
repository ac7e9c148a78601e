package web_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func get(t *testing.T, url string) *http.Response {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

func TestHealthz(t *testing.T) {
	e := newEnv(t)
	res := get(t, e.srv.URL+"/healthz")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("Status = %d, want 200", res.StatusCode)
	}
	if m := decodeJSON(t, res); m["status"] != "ok" {
		t.Errorf("answer = %v", m)
	}
	e.db.Close() // the database goes away: health must say so
	res = get(t, e.srv.URL+"/healthz")
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("Status with the database closed = %d, want 503", res.StatusCode)
	}
}

func TestStaticSite(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		path   string
		status int
		check  func(t *testing.T, res *http.Response)
	}{
		{"/", 200, func(t *testing.T, res *http.Response) {
			if cc := res.Header.Get("Cache-Control"); cc != "no-cache" {
				t.Errorf("page Cache-Control = %q, want no-cache", cc)
			}
		}},
		{"/gui-tin-bao/", 200, nil},
		{"/gui-tin-bao", 301, func(t *testing.T, res *http.Response) {
			if loc := res.Header.Get("Location"); loc != "/gui-tin-bao/" {
				t.Errorf("Location = %q", loc)
			}
		}},
		{"/khong-co-trang-nay/", 404, func(t *testing.T, res *http.Response) {
			b, _ := io.ReadAll(res.Body)
			if !strings.Contains(string(b), "Không tìm thấy trang") {
				t.Errorf("404 is not the site's page")
			}
		}},
		{"/../../etc/passwd", 404, nil},
		{"/api/v1/khong-co", 404, func(t *testing.T, res *http.Response) {
			if m := decodeJSON(t, res); m["error"] != "not_found" {
				t.Errorf("API 404 answer = %v", m)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			res := get(t, e.srv.URL+tt.path)
			if res.StatusCode != tt.status {
				t.Fatalf("Status = %d, want %d", res.StatusCode, tt.status)
			}
			for h, want := range map[string]string{
				"Referrer-Policy":        "no-referrer",
				"X-Content-Type-Options": "nosniff",
			} {
				if got := res.Header.Get(h); got != want {
					t.Errorf("%s = %q, want %q", h, got, want)
				}
			}
			if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "unsafe-inline") {
				t.Errorf("CSP = %q", csp)
			}
			if res.Header.Get("Set-Cookie") != "" {
				t.Errorf("a cookie was set for the public")
			}
			if tt.check != nil {
				tt.check(t, res)
			}
		})
	}
}

func TestNoDirectoryListings(t *testing.T) {
	e := newEnv(t)
	// Hugo's fingerprinted CSS lives in /css/, which has no index.html.
	res := get(t, e.srv.URL+"/css/")
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("Status = %d, want 404 for a folder without index.html", res.StatusCode)
	}
}

func TestFingerprintedAssetsAreCachedForAYear(t *testing.T) {
	e := newEnv(t)
	doc := document(t, get(t, e.srv.URL+"/"))
	href, ok := doc.Find(`link[rel="stylesheet"]`).Attr("href")
	if !ok {
		t.Fatal("no stylesheet")
	}
	res := get(t, e.srv.URL+href)
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("%s: Status %d, Cache-Control %q", href, res.StatusCode, res.Header.Get("Cache-Control"))
	}
}

func TestPagesAreCompressed(t *testing.T) {
	e := newEnv(t)
	req, _ := http.NewRequest("GET", e.srv.URL+"/gui-tin-bao/", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("Content-Encoding = %q, want gzip", res.Header.Get("Content-Encoding"))
	}
}
