package site_test

import (
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// pageBudget is the most a page may cost to open: its HTML and the CSS and
// JavaScript it loads, gzipped (images excluded). Many readers are on a
// cheap phone on a slow, paid network.
const pageBudget = 60 * 1024

// TestPageWeight: every page, with the stylesheets and scripts it loads
// (and, for the search page, the index its script fetches), fits in the
// budget.
func TestPageWeight(t *testing.T) {
	largest, largestURL := 0, ""
	for _, p := range builtPages(t) {
		html, err := os.ReadFile(p.File)
		if err != nil {
			t.Fatal(err)
		}
		total := gzipSize(t, html)
		parts := []string{}
		p.Doc.Find(`link[rel~="stylesheet"][href], link[rel~="preload"][href], link[rel~="modulepreload"][href], script[src], [data-index]`).Each(func(_ int, s *goquery.Selection) {
			ref := s.AttrOr("href", s.AttrOr("src", s.AttrOr("data-index", "")))
			target, ok := resolve(p.URL, ref)
			if !ok {
				t.Errorf("%s loads %s from another site", p.URL, ref)
				return
			}
			f := siteFile(t, target.Path)
			if f == "" {
				t.Errorf("%s loads %s, which is not in the built site", p.URL, ref)
				return
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			total += gzipSize(t, b)
			parts = append(parts, target.Path)
		})
		if total > pageBudget {
			t.Errorf("%s costs %.1f KB gzipped (HTML + %v), over the %d KB budget", p.URL, float64(total)/1024, parts, pageBudget/1024)
		}
		if total > largest {
			largest, largestURL = total, p.URL
		}
	}
	t.Logf("%d pages checked; the largest is %s at %.1f KB gzipped with its CSS and JS", len(builtPages(t)), largestURL, float64(largest)/1024)
}

// TestNoBrokenInternalLinks: every link and resource address on the site
// that stays on the site leads to a built file, and every #fragment to an
// element with that id.
func TestNoBrokenInternalLinks(t *testing.T) {
	checked := 0
	for _, p := range builtPages(t) {
		p.Doc.Find("a[href], link[href], script[src], img[src], source[src], iframe[src], [data-index]").Each(func(_ int, s *goquery.Selection) {
			ref := s.AttrOr("href", s.AttrOr("src", s.AttrOr("data-index", "")))
			if ref == "" || strings.HasPrefix(ref, "data:") {
				return
			}
			target, ok := resolve(p.URL, ref)
			if !ok {
				return // another site, tel:, mailto:
			}
			checked++
			dest := p
			if target.Path != p.URL {
				f := siteFile(t, target.Path)
				if f == "" {
					t.Errorf("%s links to %s, which does not exist", p.URL, ref)
					return
				}
				if !strings.HasSuffix(f, ".html") {
					return
				}
				dest = pageForFile(t, f)
			}
			if target.Fragment != "" {
				id, _ := url.PathUnescape(target.Fragment)
				if dest.Doc.Find(`[id="`+id+`"]`).Length() == 0 {
					t.Errorf("%s links to %s, but %s has no element with id %q", p.URL, ref, dest.URL, id)
				}
			}
		})
	}
	if checked < 500 {
		t.Errorf("only %d internal links checked; the walk missed pages", checked)
	}
	t.Logf("%d internal links checked on %d pages", checked, len(builtPages(t)))
}

// pageForFile finds the built page whose file is f.
func pageForFile(t *testing.T, f string) *builtPage {
	t.Helper()
	for _, p := range builtPages(t) {
		if p.File == f {
			return p
		}
	}
	t.Fatalf("no parsed page for %s", f)
	return nil
}

var (
	absURL       = regexp.MustCompile(`(?i)^\s*(https?:)?//`)
	cssRemote    = regexp.MustCompile(`(?i)url\(\s*['"]?\s*(https?:)?//|@import`)
	scriptRemote = regexp.MustCompile(`(?i)https?://|["'\x60]//[a-z0-9]`)
)

// TestNoRequestToOtherHosts: opening a page asks nothing of any other
// host: no script, stylesheet, icon, font, image, frame or media from
// elsewhere, no url() or @import in the CSS, no address of another site in
// the scripts. Links a reader may follow are fine. Inline styles and
// inline scripts, which the Content-Security-Policy forbids, are errors
// too (JSON-LD data excepted).
func TestNoRequestToOtherHosts(t *testing.T) {
	loads := map[string][]string{
		"script": {"src"}, "link": {"href"}, "img": {"src", "srcset"}, "source": {"src", "srcset"},
		"iframe": {"src"}, "frame": {"src"}, "video": {"src", "poster"}, "audio": {"src"}, "track": {"src"},
		"embed": {"src"}, "object": {"data"}, "input": {"src"}, "form": {"action"}, "image": {"href"},
	}
	assets := map[string]bool{}
	for _, p := range builtPages(t) {
		for tag, attrs := range loads {
			p.Doc.Find(tag).Each(func(_ int, s *goquery.Selection) {
				for _, a := range attrs {
					if v, ok := s.Attr(a); ok && absURL.MatchString(v) {
						t.Errorf("%s: <%s %s=%q> asks another host", p.URL, tag, a, v)
					}
				}
			})
		}
		p.Doc.Find(`meta[http-equiv]`).Each(func(_ int, s *goquery.Selection) {
			t.Errorf("%s: <meta http-equiv=%q> is not allowed", p.URL, s.AttrOr("http-equiv", ""))
		})
		p.Doc.Find("[style], style").Each(func(_ int, s *goquery.Selection) {
			t.Errorf("%s: inline style on <%s> (blocked by the Content-Security-Policy)", p.URL, goquery.NodeName(s))
		})
		p.Doc.Find("script:not([src])").Each(func(_ int, s *goquery.Selection) {
			if s.AttrOr("type", "") != "application/ld+json" {
				t.Errorf("%s: inline script (blocked by the Content-Security-Policy)", p.URL)
			}
		})
		p.Doc.Find(`link[rel~="stylesheet"][href], script[src]`).Each(func(_ int, s *goquery.Selection) {
			assets[s.AttrOr("href", s.AttrOr("src", ""))] = true
		})
	}
	if len(assets) < 3 {
		t.Fatalf("found %d stylesheets and scripts; expected the site's CSS, site.js, search.js and directory.js", len(assets))
	}
	for a := range assets {
		b, err := os.ReadFile(siteFile(t, a))
		if err != nil {
			t.Fatal(err)
		}
		re := scriptRemote
		if strings.HasSuffix(a, ".css") {
			re = cssRemote
		}
		if m := re.Find(b); m != nil {
			t.Errorf("%s refers to another host: %q", a, m)
		}
	}
}
