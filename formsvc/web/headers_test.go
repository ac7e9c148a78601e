package web_test

import (
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/console"
	"github.com/hoaphong/phongchongmaidam/formsvc/web"
	"github.com/hoaphong/phongchongmaidam/internal/teststore"
)

// TestHeadersOnEveryKindOfResponse: pages, assets, errors, the API and the
// console all carry the security headers; the API and the console are
// never cached and open in a browsing context group of their own; HSTS only
// over TLS.
func TestHeadersOnEveryKindOfResponse(t *testing.T) {
	e := newEnvWith(t, func(c *web.Config) {
		db := c.Store.(teststore.Store)
		c.Console = console.New(console.Config{Spec: c.Spec, Store: db, SessionStore: db.SessionStore()}).Handler()
	})
	type probe struct {
		name, method, path, ct, body string
		accept                       string
		status                       int
		noStore                      bool
		referrer                     string
	}
	probes := []probe{
		{"page", "GET", "/", "", "", "", 200, false, "no-referrer"},
		{"asset", "GET", "", "", "", "", 200, false, "no-referrer"},
		{"404 page", "GET", "/khong-co/", "", "", "", 404, false, "no-referrer"},
		{"health", "GET", "/healthz", "", "", "", 200, true, "no-referrer"},
		{"api 201", "POST", "/api/v1/tips", "application/json", `{"category":"street","location":"Chợ","description":"Mười ký tự trở lên"}`, "", 201, true, "no-referrer"},
		{"api 422", "POST", "/api/v1/tips", "application/json", `{}`, "", 422, true, "no-referrer"},
		{"api confirmation redirect", "POST", "/api/v1/tips", "application/x-www-form-urlencoded", "category=street&location=Ch%E1%BB%A3&description=M%C6%B0%E1%BB%9Di+k%C3%BD+t%E1%BB%B1+tr%E1%BB%9F+l%C3%AAn", "text/html", 303, true, "no-referrer"},
		{"api receipt page shown already", "GET", "/api/v1/receipts/0123456789abcdef", "", "", "", 410, true, "no-referrer"},
		{"api error page", "POST", "/api/v1/tips", "text/plain", "x", "text/html", 415, true, "no-referrer"},
		{"api 404", "GET", "/api/v1/nothing", "", "", "", 404, true, "no-referrer"},
		{"api 400", "POST", "/api/v1/tips", "application/json", `{"category":`, "", 400, true, "no-referrer"},
		{"api 413", "POST", "/api/v1/tips", "application/json", `{"description":"` + strings.Repeat("x", 200<<10) + `"}`, "", 413, true, "no-referrer"},
		{"api 415", "POST", "/api/v1/tips", "text/plain", "x", "", 415, true, "no-referrer"},
		{"console login", "GET", "/officer/login", "", "", "", 200, true, "same-origin"},
		{"console redirect", "GET", "/officer/", "", "", "", 303, true, "same-origin"},
		{"console asset", "GET", "/officer/static/console.css", "", "", "", 200, true, "same-origin"},
	}
	// The stylesheet's fingerprinted name, from the home page.
	doc := document(t, get(t, e.srv.URL+"/"))
	probes[1].path = doc.Find(`link[rel="stylesheet"]`).AttrOr("href", "")
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, p := range probes {
		t.Run(p.name, func(t *testing.T) {
			req, _ := http.NewRequest(p.method, e.srv.URL+p.path, strings.NewReader(p.body))
			if p.ct != "" {
				req.Header.Set("Content-Type", p.ct)
			}
			if p.accept != "" {
				req.Header.Set("Accept", p.accept)
			}
			res, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != p.status {
				t.Fatalf("Status = %d, want %d", res.StatusCode, p.status)
			}
			h := res.Header
			if h.Get("Content-Security-Policy") == "" || strings.Contains(h.Get("Content-Security-Policy"), "unsafe-inline") {
				t.Errorf("CSP = %q", h.Get("Content-Security-Policy"))
			}
			for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": p.referrer} {
				if h.Get(k) != v {
					t.Errorf("%s = %q, want %q", k, h.Get(k), v)
				}
			}
			if h.Get("Permissions-Policy") == "" {
				t.Errorf("no Permissions-Policy")
			}
			// A browsing context group of its own for the API's pages (a
			// receipt) and the console; not for the public pages.
			isolated := strings.HasPrefix(p.path, "/api/") || strings.HasPrefix(p.path, "/officer/")
			if coop := h.Get("Cross-Origin-Opener-Policy"); (coop == "same-origin") != isolated || (coop != "" && !isolated) {
				t.Errorf("Cross-Origin-Opener-Policy = %q; want it only on the API and the console", coop)
			}
			if p.noStore && h.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", h.Get("Cache-Control"))
			}
			if api := strings.HasPrefix(p.path, "/api/"); api != (h.Get("X-Robots-Tag") == "noindex") {
				t.Errorf("X-Robots-Tag = %q; want noindex on the API's answers only", h.Get("X-Robots-Tag"))
			}
			if h.Get("Strict-Transport-Security") != "" {
				t.Errorf("HSTS over plain HTTP")
			}
			if p.referrer == "no-referrer" && h.Get("Set-Cookie") != "" {
				t.Errorf("a public response set a cookie")
			}
		})
	}
	// Over TLS, HSTS is sent.
	tlsSrv := httptest.NewTLSServer(e.srv.Config.Handler)
	defer tlsSrv.Close()
	c := tlsSrv.Client()
	c.Transport.(*http.Transport).TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
	res, err := c.Get(tlsSrv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if !strings.Contains(res.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Errorf("no HSTS over TLS")
	}
}

// TestOtherSitesCannotPostFromABrowser: a browser form on another site is
// refused (403, in Vietnamese), unless that origin is allowed; the site's
// own pages and non-browser clients go through.
func TestOtherSitesCannotPostFromABrowser(t *testing.T) {
	e := newEnvWith(t, func(c *web.Config) { c.AllowedOrigins = []string{"https://doitac.example"} })
	body := `{"category":"street","location":"Chợ","description":"Mười ký tự trở lên"}`
	tests := []struct {
		name    string
		headers []string
		want    int
	}{
		{"no browser headers", nil, 201},
		{"same origin", []string{"Sec-Fetch-Site", "same-origin", "Origin", "null"}, 201},
		{"cross site", []string{"Sec-Fetch-Site", "cross-site", "Origin", "https://spam.example"}, 403},
		{"cross site, old browser", []string{"Origin", "https://spam.example"}, 403},
		{"allowed partner", []string{"Sec-Fetch-Site", "cross-site", "Origin", "https://doitac.example"}, 201},
		// An older phone on the Netlify site, through its proxy: no
		// Sec-Fetch-Site, and an Origin that is not this service's host.
		{"allowed site, old browser", []string{"Origin", "https://doitac.example"}, 201},
	}
	for _, tt := range tests {
		res := e.post("/api/v1/tips", "application/json", strings.NewReader(body), tt.headers...)
		if res.StatusCode != tt.want {
			t.Errorf("%s: Status = %d, want %d", tt.name, res.StatusCode, tt.want)
			continue
		}
		if tt.want == 403 {
			if m := decodeJSON(t, res); m["error"] != "forbidden" || !strings.Contains(m["message"].(string), "trang web khác") {
				t.Errorf("%s: answer %v", tt.name, m)
			}
		}
	}
	if n := e.count(); n != 4 {
		t.Errorf("stored %d, want 4", n)
	}
}

// TestPanicGetsThePublicErrorInTheRightForm: a handler that panics (here
// the clock, mid-submission) answers 500 with the public message, as JSON
// to a script and as the site's error page to a plain form post, stores
// nothing, and the service goes on answering.
func TestPanicGetsThePublicErrorInTheRightForm(t *testing.T) {
	var broken atomic.Bool
	e := newEnvWith(t, func(c *web.Config) {
		now := c.Now
		c.Now = func() time.Time {
			if broken.Load() {
				panic("clock broken")
			}
			return now()
		}
	})
	broken.Store(true)
	ct, body := encodings[0].encode(t, validTip(), nil)
	res := e.post("/api/v1/tips", ct, body)
	page, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusInternalServerError || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(string(page), formsvc.MsgInternal) {
		t.Errorf("plain form post: Status = %d, Content-Type %q, page has the message: %v", res.StatusCode,
			res.Header.Get("Content-Type"), strings.Contains(string(page), formsvc.MsgInternal))
	}
	ct, body = encodings[2].encode(t, validTip(), nil)
	res = e.post("/api/v1/tips", ct, body, "Accept", "application/json")
	if m := decodeJSON(t, res); res.StatusCode != http.StatusInternalServerError || m["error"] != "internal" || m["message"] != formsvc.MsgInternal {
		t.Errorf("JSON post: Status = %d, answer %v", res.StatusCode, m)
	}
	if n := e.count(); n != 0 {
		t.Errorf("stored %d submissions", n)
	}
	broken.Store(false)
	ct, body = encodings[2].encode(t, validTip(), nil)
	if res := e.post("/api/v1/tips", ct, body); res.StatusCode != http.StatusCreated {
		t.Errorf("after the panics: Status = %d, want 201", res.StatusCode)
	}
}
