package site_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/goccy/go-yaml"
	"rsc.io/qr"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/internal/testsite"
)

// TestEveryPageHasTheWayOut: every page starts with "Thoát nhanh" and a
// link to the safe-browsing advice, and ends with the emergency numbers.
func TestEveryPageHasTheWayOut(t *testing.T) {
	for _, p := range builtPages(t) {
		bar := p.Doc.Find("body > .exit-bar")
		if bar.Find("a[data-exit]").Length() != 1 || bar.Find(`a[href="/luot-web-an-toan/"]`).Length() != 1 {
			t.Errorf("%s: the exit bar lacks the exit link or the safe-browsing link", p.URL)
		}
		if p.Doc.Find(`footer a[href="tel:111"]`).Length() == 0 {
			t.Errorf("%s: no 111 in the footer", p.URL)
		}
		// (A form page's <template> holds the confirmation's own h1.)
		if n := p.Doc.Find("h1").FilterFunction(func(_ int, h *goquery.Selection) bool {
			return h.Closest("template").Length() == 0
		}).Length(); n != 1 {
			t.Errorf("%s has %d h1", p.URL, n)
		}
	}
}

// TestHomeActions: the three things a visitor comes for are the first
// links of the home page's content.
func TestHomeActions(t *testing.T) {
	doc := builtPageAt(t, "/").Doc
	var got []string
	doc.Find("main a.action").Each(func(_ int, a *goquery.Selection) { got = append(got, a.AttrOr("href", "")) })
	if want := []string{"/gui-tin-bao/", "/yeu-cau-ho-tro/", "tel:111"}; !slices.Equal(got, want) {
		t.Errorf("home actions = %v, want %v", got, want)
	}
}

var viDate = regexp.MustCompile(`^\d{2}/\d{2}/\d{4}$`)

// frontMatter reads the YAML front matter of a content file.
func frontMatter(t *testing.T, file string, v any) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	parts := bytes.SplitN(b, []byte("\n---\n"), 2)
	if len(parts) != 2 || !bytes.HasPrefix(parts[0], []byte("---\n")) {
		t.Fatalf("%s: no front matter", file)
	}
	if err := yaml.Unmarshal(parts[0][4:], v); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
}

// TestArticles: each awareness article and broadcast script shows its date
// as dd/mm/yyyy, its reading time (or, for a script, how long it takes to
// read aloud) and every source of its front matter; its section lists it
// with date and summary.
func TestArticles(t *testing.T) {
	counts := map[string]int{}
	for _, section := range []string{"tuyen-truyen", "phat-thanh"} {
		files, _ := filepath.Glob(filepath.Join(testsite.Root(), "content", section, "*.md"))
		list := builtPageAt(t, "/"+section+"/").Doc
		for _, f := range files {
			if filepath.Base(f) == "_index.md" {
				continue
			}
			counts[section]++
			var fm struct {
				Title, Summary, Duration string
				Sources                  []struct{ Title, URL string }
			}
			frontMatter(t, f, &fm)
			u := "/" + section + "/" + strings.TrimSuffix(filepath.Base(f), ".md") + "/"
			doc := builtPageAt(t, u).Doc
			meta := doc.Find("main .meta").First()
			if d := strings.TrimSpace(meta.Find("time").Text()); !viDate.MatchString(d) {
				t.Errorf("%s: date %q is not dd/mm/yyyy", u, d)
			}
			if fm.Duration != "" {
				if !strings.Contains(meta.Text(), fm.Duration) {
					t.Errorf("%s: meta %q lacks the duration %q", u, meta.Text(), fm.Duration)
				}
			} else if !regexp.MustCompile(`\d+ phút đọc`).MatchString(meta.Text()) {
				t.Errorf("%s: meta %q lacks the reading time", u, meta.Text())
			}
			items := doc.Find("main .sources li")
			if items.Length() != len(fm.Sources) || len(fm.Sources) == 0 {
				t.Errorf("%s shows %d sources, front matter has %d", u, items.Length(), len(fm.Sources))
			}
			items.Each(func(i int, li *goquery.Selection) {
				if i < len(fm.Sources) && fm.Sources[i].URL != "" && li.Find(`a[href="`+fm.Sources[i].URL+`"]`).Length() != 1 {
					t.Errorf("%s: source %d does not link to %s", u, i+1, fm.Sources[i].URL)
				}
			})
			card := list.Find(`.card`).FilterFunction(func(_ int, c *goquery.Selection) bool {
				return c.Find(`a[href="`+u+`"]`).Length() > 0
			})
			if card.Length() != 1 || !viDate.MatchString(strings.TrimSpace(card.Find("time").Text())) || !strings.Contains(card.Text(), fm.Summary) {
				t.Errorf("/%s/ does not list %s with its date and summary", section, u)
			}
		}
	}
	// Issue 3: at least 12 awareness articles and 3 broadcast scripts.
	if counts["tuyen-truyen"] < 12 || counts["phat-thanh"] < 3 {
		t.Errorf("%d articles and %d broadcast scripts; want at least 12 and 3", counts["tuyen-truyen"], counts["phat-thanh"])
	}
}

// TestLawPage: /phap-luat/ is a short summary in plain words with the
// crimes and fines of data/legal.yaml, and every main document it lists
// leads to its entry (dates, status, sources) on the sources register.
func TestLawPage(t *testing.T) {
	var legal struct {
		Documents        []struct{ ID string }
		CriminalArticles []struct{ Article int } `yaml:"criminal_articles"`
		Fines            []struct{ Act string }
		FinesNote        string `yaml:"fines_note"`
	}
	readYAML(t, "legal.yaml", &legal)
	doc := builtPageAt(t, "/phap-luat/").Doc
	rows := doc.Find("#cap-toi-pham").Closest("table").Find("tbody tr")
	if rows.Length() != len(legal.CriminalArticles) {
		t.Errorf("crimes table has %d rows, data has %d", rows.Length(), len(legal.CriminalArticles))
	}
	for _, a := range []string{"150", "151", "327", "328", "329"} {
		if doc.Find("#dieu-"+a).Length() != 1 {
			t.Errorf("no row for Điều %s", a)
		}
	}
	if n := doc.Find("#cap-muc-phat").Closest("table").Find("tbody tr").Length(); n != len(legal.Fines) || n == 0 {
		t.Errorf("fines table has %d rows, data has %d", n, len(legal.Fines))
	}
	if !strings.Contains(doc.Find("main").Text(), legal.FinesNote) {
		t.Errorf("the note on the other fines is missing")
	}
	register := builtPageAt(t, "/nguon-thong-tin/").Doc
	for _, d := range legal.Documents {
		if register.Find(`section.doc[id="`+d.ID+`"]`).Length() != 1 {
			t.Errorf("document %s is not on /nguon-thong-tin/", d.ID)
		}
	}
	links := doc.Find(`main .key-docs a[href^="/nguon-thong-tin/#"]`)
	if links.Length() < 8 {
		t.Errorf("the law page lists %d main documents linked to the register, want at least 8", links.Length())
	}
}

// TestHotlinesPage: every number of data/hotlines.yaml is a tap-to-call
// link with what is known of its hours and cost and its sources; whether
// it is checked is not said beside it (that is for /nguon-thong-tin/).
func TestHotlinesPage(t *testing.T) {
	var lines []struct {
		ID, Number, Hours, Cost string
		Sources                 []struct{ Title, URL string }
	}
	readYAML(t, "hotlines.yaml", &lines)
	doc := builtPageAt(t, "/duong-day-nong/").Doc
	for _, l := range lines {
		li := doc.Find(`li.hotline[id="` + l.ID + `"]`)
		if li.Find(`a[href="tel:`+l.Number+`"]`).Length() != 1 {
			t.Errorf("%s: no tap-to-call link to %s", l.ID, l.Number)
		}
		text := li.Text()
		if strings.Contains(strings.ToLower(text), "xác minh") {
			t.Errorf("%s: verification status beside a number to call: %q", l.ID, text)
		}
		for _, v := range []string{l.Hours, l.Cost} {
			if !strings.Contains(text, v) {
				t.Errorf("%s: %q is not shown", l.ID, v)
			}
		}
		if len(l.Sources) == 0 {
			t.Errorf("%s has no source in data/hotlines.yaml", l.ID)
		}
		for _, src := range l.Sources {
			if !strings.Contains(text, src.Title) || src.URL != "" && li.Find(`a[href="`+src.URL+`"]`).Length() != 1 {
				t.Errorf("%s: source %q is not shown", l.ID, src.Title)
			}
		}
	}
}

// TestSearchPage: without JavaScript /tim-kiem/ is a list of every page,
// and the index its script searches covers the same pages, each once: the
// first part every page but the services, the other parts the services,
// each part within the page budget on its own.
func TestSearchPage(t *testing.T) {
	doc := builtPageAt(t, "/tim-kiem/").Doc
	listed := map[string]bool{}
	doc.Find("[data-search-all] a[href]").Each(func(_ int, a *goquery.Selection) { listed[a.AttrOr("href", "")] = true })
	form := doc.Find("[data-search-form]")
	parts := append([]string{form.AttrOr("data-index", "")}, strings.Fields(form.AttrOr("data-index-parts", ""))...)
	if len(parts) < 2 {
		t.Fatalf("the search index has %d part(s); want the pages and at least one part of services", len(parts))
	}
	indexed := map[string]bool{}
	for i, part := range parts {
		b, err := os.ReadFile(siteFile(t, part))
		if err != nil {
			t.Fatal(err)
		}
		if n := gzipSize(t, b); n > pageBudget {
			t.Errorf("search index part %s is %.1f KB gzipped, over the %d KB budget", part, float64(n)/1024, pageBudget/1024)
		}
		var index []struct{ U, T, X string }
		decodeInto(t, b, &index)
		for _, it := range index {
			if indexed[it.U] {
				t.Errorf("%s is in the search index twice", it.U)
			}
			indexed[it.U] = true
			if it.T == "" {
				t.Errorf("index entry %s has no title", it.U)
			}
			if service := strings.HasPrefix(it.U, "/danh-ba/") && !strings.HasPrefix(it.U, "/danh-ba/nhom/") && it.U != "/danh-ba/"; service != (i > 0) {
				t.Errorf("%s is in part %d of the index (%s): services go in the parts after the first, every other page in the first", it.U, i, part)
			}
		}
	}
	for _, p := range builtPages(t) {
		if p.URL == "/tim-kiem/" || p.URL == "/404.html" || testsite.Unlisted(p.URL) {
			continue
		}
		if !listed[p.URL] {
			t.Errorf("/tim-kiem/ does not list %s", p.URL)
		}
		if !indexed[p.URL] {
			t.Errorf("the search index lacks %s", p.URL)
		}
	}
	if len(listed) != len(indexed) {
		t.Errorf("/tim-kiem/ lists %d pages, the index has %d", len(listed), len(indexed))
	}
	if doc.Find("[data-search-input][disabled]").Length() != 1 {
		t.Errorf("the search box must start disabled: without JavaScript it does nothing")
	}
}

// TestPrintedMaterial: the poster and the leaflet carry QR codes that
// encode the absolute addresses of the two forms (site_url in
// data/commune.yaml), and the hotline numbers.
func TestPrintedMaterial(t *testing.T) {
	var commune struct {
		SiteURL string `yaml:"site_url"`
	}
	readYAML(t, "commune.yaml", &commune)
	if !strings.HasPrefix(commune.SiteURL, "https://") {
		t.Fatalf("data/commune.yaml site_url = %q, want an https address", commune.SiteURL)
	}
	placeholder := strings.Contains(commune.SiteURL, "://example.") || strings.Contains(commune.SiteURL, "://localhost")
	for _, u := range []string{"/tai-lieu-in/poster/", "/tai-lieu-in/to-roi/"} {
		doc := builtPageAt(t, u).Doc
		// While site_url is the sample address, the sheet itself says it
		// must not be printed yet.
		if warned := doc.Find("[data-placeholder-site]").Length() == 1; warned != placeholder {
			t.Errorf("%s: site_url %s, printed warning shown=%v", u, commune.SiteURL, warned)
		}
		var targets []string
		doc.Find("figure.qr").Each(func(_ int, f *goquery.Selection) {
			want := f.AttrOr("data-qr", "")
			targets = append(targets, want)
			img, err := os.ReadFile(siteFile(t, f.Find("img").AttrOr("src", "")))
			if err != nil {
				t.Errorf("%s: QR image: %v", u, err)
				return
			}
			code, err := qr.Encode(want, qr.M)
			if err != nil {
				t.Fatal(err)
			}
			code.Scale = 6
			if !bytes.Equal(img, code.PNG()) {
				t.Errorf("%s: the QR image does not encode %s", u, want)
			}
			if !strings.Contains(f.Text(), want) {
				t.Errorf("%s: the address %s is not written beside its QR code", u, want)
			}
		})
		site := strings.TrimSuffix(commune.SiteURL, "/")
		if want := []string{site + "/gui-tin-bao/", site + "/yeu-cau-ho-tro/"}; !slices.Equal(targets, want) {
			t.Errorf("%s: QR codes to %v, want %v", u, targets, want)
		}
		for _, n := range []string{"111", "113"} {
			if doc.Find(`main a[href="tel:`+n+`"]`).Length() == 0 {
				t.Errorf("%s: no %s", u, n)
			}
		}
	}
}

// TestPrivacyPageMatchesTheService: the privacy page states the service's
// default retention and the privacy version that support requests record,
// and promises nothing the follow-up page cannot do.
func TestPrivacyPageMatchesTheService(t *testing.T) {
	text := builtPageAt(t, "/rieng-tu/").Doc.Find("main").Text()
	if want := fmt.Sprintf("%d ngày sau khi đóng", formsvc.DefaultRetentionDays); !strings.Contains(text, want) {
		t.Errorf("the privacy page does not say %q (the service's default retention)", want)
	}
	if want := "Phiên bản " + spec(t).PrivacyVersion + ","; !strings.Contains(text, want) {
		t.Errorf("the privacy page does not say %q (privacy_version in data/forms.yaml)", want)
	}
	if strings.Contains(text, "xem thông tin bạn đã gửi") {
		t.Errorf("the privacy page promises to show what was sent; follow-up shows status and messages only")
	}
}
