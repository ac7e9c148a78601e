package site_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"

	"github.com/hoaphong/phongchongmaidam/data"
	"github.com/hoaphong/phongchongmaidam/formsvc/web"
	"github.com/hoaphong/phongchongmaidam/internal/testsite"
)

// The unit tests of formsvc/web run on a few pages of the real build kept
// in formsvc/web/testdata/site (the "web fixture"), not on a Hugo build of
// their own. TestWebFixture keeps that copy in step with the real build;
// `go generate ./formsvc/web` (which runs this test with -update) rewrites
// it.
var update = flag.Bool("update", false, "rewrite formsvc/web/testdata/site from this build")

// webFixtureDir is where formsvc/web's tests find the fixture.
func webFixtureDir() string {
	return filepath.Join(testsite.Root(), "formsvc", "web", "testdata", "site")
}

// servicePages are the pages the service reads, as files of a built site:
// every page the contract names (the pages it fills: forms, their
// confirmations, follow-up, error page) and the 404 page.
func servicePages(t *testing.T, built string) []string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(built, web.ContractFile))
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Pages map[string][]string `json:"pages"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatalf("%s: %v", web.ContractFile, err)
	}
	files := []string{"404.html"}
	for p := range c.Pages {
		files = append(files, path.Join(strings.Trim(p, "/"), "index.html"))
	}
	sort.Strings(files)
	return files
}

// localAssets are the site's own stylesheets and scripts a page links.
func localAssets(doc *goquery.Document) []string {
	var out []string
	doc.Find(`link[rel="stylesheet"][href], script[src]`).Each(func(_ int, s *goquery.Selection) {
		ref := s.AttrOr("href", s.AttrOr("src", ""))
		if strings.HasPrefix(ref, "/") && !strings.HasPrefix(ref, "//") {
			out = append(out, strings.TrimPrefix(ref, "/"))
		}
	})
	return out
}

func parse(t *testing.T, file string) *goquery.Document {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return doc
}

// served is what of a page the service reads and fills: its title (a form
// page with errors gets "Lỗi: " before it) and its <main>, where every
// data- slot is. The header, footer and the fingerprinted names of the
// stylesheet and script may differ from the real build: a change of CSS or
// of the menu needs no new fixture.
func served(t *testing.T, file string) string {
	t.Helper()
	doc := parse(t, file)
	main, err := goquery.OuterHtml(doc.Find("main"))
	if err != nil {
		t.Fatal(err)
	}
	return "<title>" + doc.Find("title").Text() + "</title>\n" + main
}

// TestWebFixture: formsvc/web/testdata/site holds the real build's
// contract, byte for byte, and each page the service reads with the same
// title and <main> as the real build. (Its home page, there for the tests
// of static files, is not compared: its list of new articles changes with
// the content.) When it fails, run `go generate ./formsvc/web` and commit
// formsvc/web/testdata/site.
func TestWebFixture(t *testing.T) {
	built := testsite.Build(t)
	dir := webFixtureDir()
	pages := servicePages(t, built)
	if *update {
		writeWebFixture(t, built, dir, pages)
		return
	}
	stale := func(format string, args ...any) {
		t.Helper()
		t.Errorf("formsvc/web/testdata/site is out of step with the real build (run `go generate ./formsvc/web` "+
			"and commit the result): "+format, args...)
	}
	want, _ := os.ReadFile(filepath.Join(built, web.ContractFile))
	got, err := os.ReadFile(filepath.Join(dir, web.ContractFile))
	if err != nil {
		stale("%v", err)
	} else if !bytes.Equal(got, want) {
		stale("%s differs", web.ContractFile)
	}
	for _, p := range pages {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(p))); err != nil {
			stale("it has no %s", p)
			continue
		}
		if g, w := served(t, filepath.Join(dir, filepath.FromSlash(p))), served(t, filepath.Join(built, filepath.FromSlash(p))); g != w {
			stale("the title or <main> of %s differs\nfixture:\n%s\nreal build:\n%s", p, firstDiff(g, w), firstDiff(w, g))
		}
	}
}

// firstDiff is a from the first byte where it differs from b, cut short.
func firstDiff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	i = max(0, i-40)
	for i > 0 && !utf8.RuneStart(a[i]) {
		i--
	}
	a = a[i:]
	if len(a) > 200 {
		n := 200
		for !utf8.RuneStart(a[n]) {
			n--
		}
		a = a[:n] + "…"
	}
	return a
}

// writeWebFixture replaces the fixture with the contract, the given pages
// and the home page of the build, and the site's own stylesheets and
// scripts they link.
func writeWebFixture(t *testing.T, built, dir string, pages []string) {
	t.Helper()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	pages = append([]string{"index.html"}, pages...)
	files := append([]string{web.ContractFile}, pages...)
	for _, p := range pages {
		files = append(files, localAssets(parse(t, filepath.Join(built, filepath.FromSlash(p))))...)
	}
	slices.Sort(files)
	files = slices.Compact(files)
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(built, filepath.FromSlash(f)))
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dir, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("wrote %d files to %s", len(files), dir)
}

// TestSiteContract: the real build was made from this binary's forms.yaml
// and has every slot the service fills (what `serve` checks at start).
// formsvc/web tests CheckSite's refusals on its fixture.
func TestSiteContract(t *testing.T) {
	if err := web.CheckSite(testsite.Build(t), spec(t), data.FormsYAML); err != nil {
		t.Fatalf("the real build: %v", err)
	}
}
