package web_test

import (
	"bufio"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoaphong/phongchongmaidam/formsvc/web"
)

// rawGet sends a request line as written, without a client cleaning it.
func rawGet(t *testing.T, addr, target string) *http.Response {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := c.Write([]byte("GET " + target + " HTTP/1.1\r\nHost: " + addr + "\r\nConnection: close\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

// TestStaticPathsCannotLeaveOrLeak: a folder's redirect goes to the
// cleaned path on this site (never "//host", which a browser reads as
// another site); dotfiles planted in the site folder are not served; the
// console's static folder lists nothing.
func TestStaticPathsCannotLeaveOrLeak(t *testing.T) {
	site := t.TempDir()
	for name, body := range map[string]string{
		"index.html": "<p>trang chủ</p>", "404.html": "<p>không có</p>", "danh-ba/index.html": "<p>danh bạ</p>",
		".git/config": "[remote] url=secret", ".env": "SECRET=1", "css/.hidden.css": "x",
	} {
		p := filepath.Join(site, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e := newEnvWith(t, func(c *web.Config) { c.SiteDir = site })
	addr := strings.TrimPrefix(e.srv.URL, "http://")
	for _, target := range []string{"//evil.example%2F..%2Fdanh-ba", "//evil.example/../danh-ba", "/./danh-ba", "/danh-ba"} {
		res := rawGet(t, addr, target)
		if res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != "/danh-ba/" {
			t.Errorf("GET %s: %d Location %q, want 301 to /danh-ba/", target, res.StatusCode, res.Header.Get("Location"))
		}
	}
	for _, p := range []string{"/.git/config", "/.env", "/css/.hidden.css", "/.git/", "/%2egit/config"} {
		res := rawGet(t, addr, p)
		body := make([]byte, 512)
		n, _ := res.Body.Read(body)
		if res.StatusCode != http.StatusNotFound || strings.Contains(string(body[:n]), "secret") || strings.Contains(string(body[:n]), "SECRET") {
			t.Errorf("GET %s: %d, want 404 without its content", p, res.StatusCode)
		}
	}
}
