package site_test

import (
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/pelletier/go-toml/v2"

	"github.com/hoaphong/phongchongmaidam/formsvc/web"
	"github.com/hoaphong/phongchongmaidam/internal/testsite"
)

type netlifyConfig struct {
	Build struct {
		Command     string            `toml:"command"`
		Publish     string            `toml:"publish"`
		Environment map[string]string `toml:"environment"`
	} `toml:"build"`
	Redirects []struct {
		From   string `toml:"from"`
		To     string `toml:"to"`
		Status int    `toml:"status"`
		Force  bool   `toml:"force"`
	} `toml:"redirects"`
	Headers []struct {
		For    string            `toml:"for"`
		Values map[string]string `toml:"values"`
	} `toml:"headers"`
}

func readNetlify(t *testing.T) *netlifyConfig {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testsite.Root(), "netlify.toml"))
	if err != nil {
		t.Fatal(err)
	}
	var c netlifyConfig
	if err := toml.Unmarshal(b, &c); err != nil {
		t.Fatalf("netlify.toml: %v", err)
	}
	return &c
}

func (c *netlifyConfig) headers(pattern string) map[string]string {
	for _, h := range c.Headers {
		if h.For == pattern {
			return h.Values
		}
	}
	return nil
}

func TestNetlifyConfig(t *testing.T) {
	c := readNetlify(t)
	if !strings.HasPrefix(c.Build.Command, "hugo ") || !strings.Contains(c.Build.Command, "--source site") || !strings.Contains(c.Build.Command, "--panicOnWarning") {
		t.Errorf("build command = %q", c.Build.Command)
	}
	if c.Build.Publish != "site/public" {
		t.Errorf("publish = %q", c.Build.Publish)
	}
	// The Hugo Netlify installs is the one go.mod pins for `go tool hugo`.
	gomod, _ := os.ReadFile(filepath.Join(testsite.Root(), "go.mod"))
	m := regexp.MustCompile(`github.com/gohugoio/hugo v(\S+)`).FindSubmatch(gomod)
	if m == nil || c.Build.Environment["HUGO_VERSION"] != string(m[1]) || string(m[1]) != "0.165.0" {
		t.Errorf("HUGO_VERSION = %q, go.mod pins %q", c.Build.Environment["HUGO_VERSION"], m)
	}
	var api int
	for _, r := range c.Redirects {
		if r.From != "/api/*" {
			continue
		}
		api++
		u, err := url.Parse(r.To)
		if err != nil || u.Scheme != "https" || !strings.HasSuffix(u.Path, "/api/:splat") || r.Status != 200 || !r.Force {
			t.Errorf("proxy rule = %+v, want https …/api/:splat, status 200 (a proxy, not a redirect), force", r)
		}
	}
	if api != 1 {
		t.Errorf("%d rules for /api/*, want one: the service's address in one place", api)
	}
	all := c.headers("/*")
	want := map[string]string{
		"Referrer-Policy":        "no-referrer",
		"X-Content-Type-Options": "nosniff",
	}
	for k, v := range want {
		if all[k] != v {
			t.Errorf("header %s = %q, want %q", k, all[k], v)
		}
	}
	for _, k := range []string{"Permissions-Policy", "Strict-Transport-Security", "Content-Security-Policy"} {
		if all[k] == "" {
			t.Errorf("header %s is missing", k)
		}
	}
	csp := all["Content-Security-Policy"]
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") || !strings.Contains(csp, "default-src 'self'") {
		t.Errorf("CSP = %q", csp)
	}
	// The service sends the same policy when it serves the pages itself.
	if csp != web.ContentSecurityPolicy {
		t.Errorf("netlify.toml's CSP and the service's differ:\n%s\n%s", csp, web.ContentSecurityPolicy)
	}
	for _, p := range []string{"/css/*", "/js/*", "/images/qr/*"} {
		if cc := c.headers(p)["Cache-Control"]; !strings.Contains(cc, "immutable") || !strings.Contains(cc, "max-age=31536000") {
			t.Errorf("%s Cache-Control = %q", p, cc)
		}
	}
}

// cspSources parses a policy into directive -> sources.
func cspSources(csp string) map[string][]string {
	out := map[string][]string{}
	for _, d := range strings.Split(csp, ";") {
		f := strings.Fields(d)
		if len(f) > 0 {
			out[f[0]] = f[1:]
		}
	}
	return out
}

func allows(policy map[string][]string, directive, source string) bool {
	srcs, ok := policy[directive]
	if !ok {
		srcs = policy["default-src"]
	}
	for _, s := range srcs {
		if s == source {
			return true
		}
	}
	return false
}

// TestCSPAllowsWhatThePagesLoad reads every built page and checks that the
// policy allows each thing it loads, and that nothing needs an exception.
func TestCSPAllowsWhatThePagesLoad(t *testing.T) {
	policy := cspSources(readNetlify(t).headers("/*")["Content-Security-Policy"])
	dir := testsite.Build(t)
	pages := 0
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".html") {
			return err
		}
		pages++
		f, _ := os.Open(path)
		defer f.Close()
		doc, err := goquery.NewDocumentFromReader(f)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, path)
		need := func(directive, ref string) {
			source := "'self'"
			if strings.HasPrefix(ref, "data:") {
				source = "data:"
			} else if u, err := url.Parse(ref); err != nil || u.Host != "" {
				t.Errorf("%s: %s %q is on another host", rel, directive, ref)
				return
			}
			if !allows(policy, directive, source) {
				t.Errorf("%s: %s %q is not allowed by the CSP", rel, directive, ref)
			}
		}
		doc.Find("script").Each(func(_ int, s *goquery.Selection) {
			src, ok := s.Attr("src")
			typ := s.AttrOr("type", "")
			switch {
			case ok:
				need("script-src", src)
			case typ == "application/ld+json" || typ == "application/json":
				// Data, not run: the CSP does not apply.
			default:
				t.Errorf("%s: an inline script would need 'unsafe-inline'", rel)
			}
		})
		doc.Find(`link[rel~="stylesheet"]`).Each(func(_ int, s *goquery.Selection) { need("style-src", s.AttrOr("href", "")) })
		doc.Find(`link[rel~="icon"]`).Each(func(_ int, s *goquery.Selection) { need("img-src", s.AttrOr("href", "")) })
		doc.Find("img").Each(func(_ int, s *goquery.Selection) { need("img-src", s.AttrOr("src", "")) })
		if doc.Find("style").Length() > 0 || doc.Find("[style]").Length() > 0 {
			t.Errorf("%s: inline styles would need 'unsafe-inline'", rel)
		}
		doc.Find("form").Each(func(_ int, s *goquery.Selection) { need("form-action", s.AttrOr("action", "")) })
		doc.Find("img[srcset], source[srcset], source[src], video, audio, iframe, object, embed").Each(func(_ int, s *goquery.Selection) {
			t.Errorf("%s: <%s> loads media the checks above do not cover", rel, goquery.NodeName(s))
		})
		doc.Find("*").Each(func(_ int, s *goquery.Selection) {
			for _, a := range s.Nodes[0].Attr {
				if strings.HasPrefix(strings.ToLower(a.Key), "on") {
					t.Errorf("%s: inline handler %s= would need 'unsafe-inline'", rel, a.Key)
				}
				if v := strings.ToLower(strings.TrimSpace(a.Val)); (a.Key == "href" || a.Key == "src" || a.Key == "action") && strings.HasPrefix(v, "javascript:") {
					t.Errorf("%s: a javascript: address in %s", rel, a.Key)
				}
			}
		})
		return nil
	})
	// Stylesheets load nothing from elsewhere: every url() is on the site
	// or data: (and allowed by the CSP for what it is, image or font).
	css, _ := filepath.Glob(filepath.Join(dir, "css", "*.css"))
	if len(css) == 0 {
		t.Errorf("no built stylesheet under css/")
	}
	for _, f := range css {
		b, _ := os.ReadFile(f)
		for _, m := range regexp.MustCompile(`url\(\s*['"]?([^'")\s]+)`).FindAllSubmatch(b, -1) {
			ref := string(m[1])
			if u, err := url.Parse(ref); err != nil || u.Host != "" || (u.Scheme != "" && u.Scheme != "data") {
				t.Errorf("%s: url(%s) leaves the site", filepath.Base(f), ref)
			}
		}
		if bytes.Contains(b, []byte("@import")) {
			t.Errorf("%s: @import", filepath.Base(f))
		}
	}
	// The search script fetches its index from the site itself.
	js, _ := filepath.Glob(filepath.Join(dir, "js", "*.js"))
	for _, f := range js {
		b, _ := os.ReadFile(f)
		if regexp.MustCompile(`fetch\(\s*["']https?://`).Match(b) {
			t.Errorf("%s fetches from another host", filepath.Base(f))
		}
		if strings.Contains(string(b), "fetch(") && !allows(policy, "connect-src", "'self'") {
			t.Errorf("%s fetches but connect-src does not allow 'self'", filepath.Base(f))
		}
	}
	if pages < 30 {
		t.Errorf("checked %d pages, want the whole site", pages)
	}
}
