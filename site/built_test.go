package site_test

import (
	"bytes"
	"compress/gzip"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/hoaphong/phongchongmaidam/internal/testsite"
)

// builtPage is one HTML file of the built site.
type builtPage struct {
	URL  string // the address path: "/", "/danh-ba/", "/404.html"
	File string
	Size int
	Doc  *goquery.Document
}

var (
	builtOnce  sync.Once
	builtAll   []*builtPage
	builtByURL map[string]*builtPage
	builtErr   error
)

// builtPages parses every HTML file of the built site once per process.
func builtPages(t *testing.T) []*builtPage {
	t.Helper()
	root := testsite.Build(t)
	builtOnce.Do(func() {
		builtByURL = map[string]*builtPage{}
		builtErr = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			doc, err := goquery.NewDocumentFromReader(bytes.NewReader(b))
			if err != nil {
				return err
			}
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return err
			}
			rel = "/" + filepath.ToSlash(rel)
			u := strings.TrimSuffix(rel, "index.html")
			bp := &builtPage{URL: u, File: p, Size: len(b), Doc: doc}
			builtAll = append(builtAll, bp)
			builtByURL[u] = bp
			return nil
		})
		sort.Slice(builtAll, func(i, j int) bool { return builtAll[i].URL < builtAll[j].URL })
	})
	if builtErr != nil {
		t.Fatal(builtErr)
	}
	if len(builtAll) < 40 {
		t.Fatalf("the built site has %d HTML pages; expected the whole site", len(builtAll))
	}
	return builtAll
}

// builtPageAt is the built page at an address path.
func builtPageAt(t *testing.T, u string) *builtPage {
	t.Helper()
	builtPages(t)
	p := builtByURL[u]
	if p == nil {
		t.Fatalf("no built page at %s", u)
	}
	return p
}

// siteFile maps an address path on the site to the built file that serves
// it ("" when there is none): "/a/" and "/a" are /a/index.html.
func siteFile(t *testing.T, p string) string {
	t.Helper()
	root := testsite.Build(t)
	clean := path.Clean("/" + p)
	f := filepath.Join(root, filepath.FromSlash(clean))
	if st, err := os.Stat(f); err == nil {
		if !st.IsDir() {
			return f
		}
		if _, err := os.Stat(filepath.Join(f, "index.html")); err == nil {
			return filepath.Join(f, "index.html")
		}
	}
	return ""
}

// gzipSize is the size of b compressed as a web server does (gzip, level 6).
func gzipSize(t *testing.T, b []byte) int {
	t.Helper()
	var buf bytes.Buffer
	w, err := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(b)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Len()
}

// resolve resolves a link found on page u; ok is false for links that leave
// the site (another scheme or host).
func resolve(u, link string) (target *url.URL, ok bool) {
	base := &url.URL{Path: u}
	ref, err := url.Parse(strings.TrimSpace(link))
	if err != nil {
		return nil, false
	}
	if ref.Scheme != "" || ref.Host != "" {
		return nil, false
	}
	return base.ResolveReference(ref), true
}
