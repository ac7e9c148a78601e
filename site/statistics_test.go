package site_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/hoaphong/phongchongmaidam/formsvc/report"
	"github.com/hoaphong/phongchongmaidam/internal/testsite"
)

// publications reads the files testsite.StatisticsFiles writes.
func publications(t *testing.T, files map[string][]byte) map[string]*report.Publication {
	t.Helper()
	out := map[string]*report.Publication{}
	for name, b := range files {
		p, err := report.ReadPublication(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = p
	}
	return out
}

// TestStatisticsPage: /so-lieu/ is built from the files of data/so-lieu/
// that `formsvc report --publication --format json` writes. Without a file
// it says there are no published figures; the files in the repository
// pass the suppression audit read together; built with two half-years of
// files written by the service's own code, the page shows each period as
// its file says, every row and count, newest first, and adds nothing up;
// and two files covering the same days stop the build.
func TestStatisticsPage(t *testing.T) {
	inRepo, _ := filepath.Glob(filepath.Join(testsite.Root(), "data", "so-lieu", "*.json"))
	real := map[string]*report.Publication{}
	for _, f := range inRepo {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		p, err := report.ReadPublication(b)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		real[filepath.Base(f)] = p
	}
	if err := report.Audit(real); err != nil {
		t.Errorf("data/so-lieu: %v", err)
	}
	if none := builtPageAt(t, "/so-lieu/").Doc.Find("[data-no-statistics]").Length() == 1; none != (len(inRepo) == 0) {
		t.Errorf("/so-lieu/ says there are no figures = %v, with %d files in data/so-lieu", none, len(inRepo))
	}

	files, err := testsite.StatisticsFiles("2026-H1", "2026-H2", "2026")
	if err != nil {
		t.Fatal(err)
	}
	year := files["data/so-lieu/2026.json"]
	delete(files, "data/so-lieu/2026.json")
	pubs := publications(t, files)
	if err := report.Audit(pubs); err != nil {
		t.Fatal(err)
	}
	h1, h2 := pubs["data/so-lieu/2026-h1.json"], pubs["data/so-lieu/2026-h2.json"]
	dir := t.TempDir()
	if err := testsite.BuildWith(dir, files); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, "so-lieu", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := goquery.NewDocumentFromReader(f)
	if err != nil {
		t.Fatal(err)
	}
	main := doc.Find("main")
	if main.Find("[data-no-statistics]").Length() != 0 {
		t.Error("the page says there are no figures, with two files")
	}
	var order []string
	main.Find("section[data-period]").Each(func(_ int, s *goquery.Selection) { order = append(order, s.AttrOr("data-period", "")) })
	if !slices.Equal(order, []string{"2026-H2", "2026-H1"}) {
		t.Errorf("periods shown %v, want the newest first", order)
	}
	word := map[string]string{report.Small: "dưới 3", report.Hidden: "ẩn"}
	shown := func(count string) string {
		if w, ok := word[count]; ok {
			return w
		}
		return count
	}
	hidden, withheld := 0, 0
	for _, pub := range []*report.Publication{h1, h2} {
		sec := main.Find(`section[data-period="` + pub.Period.Code + `"]`)
		if !strings.Contains(sec.Find("h2").Text(), pub.Period.Label) {
			t.Errorf("%s: heading %q", pub.Period.Code, sec.Find("h2").Text())
		}
		for _, k := range pub.Kinds {
			block := sec.Find(`[data-kind="` + k.Kind + `"]`)
			p := block.Find("[data-received]")
			if p.AttrOr("data-received", "") != k.Received || !strings.Contains(p.Text(), shown(k.Received)) || !strings.Contains(p.Text(), k.MedianFirstAction) {
				t.Errorf("%s %s: %q, want received %s and median %q", pub.Period.Code, k.Kind, p.Text(), k.Received, k.MedianFirstAction)
			}
			for _, tb := range k.Tables {
				table := block.Find(`[data-table="` + tb.ID + `"]`)
				if table.Length() != 1 {
					t.Errorf("%s %s: no table %s", pub.Period.Code, k.Kind, tb.ID)
					continue
				}
				if _, ok := table.Attr("data-withheld"); ok != tb.Withheld {
					t.Errorf("%s %s %s: withheld shown %v, file %v", pub.Period.Code, k.Kind, tb.ID, ok, tb.Withheld)
				}
				if tb.Withheld {
					withheld++
				}
				cells := table.Find("td[data-code]")
				if cells.Length() != len(tb.Rows) {
					t.Errorf("%s %s %s: %d rows shown, file has %d", pub.Period.Code, k.Kind, tb.ID, cells.Length(), len(tb.Rows))
					continue
				}
				cells.Each(func(i int, td *goquery.Selection) {
					r := tb.Rows[i]
					if td.AttrOr("data-code", "") != r.Code || strings.TrimSpace(td.Text()) != shown(r.Count) ||
						strings.TrimSpace(td.Prev().Text()) != r.Label {
						t.Errorf("%s %s %s row %d: %q %q, file %+v", pub.Period.Code, k.Kind, tb.ID, i, td.Prev().Text(), td.Text(), r)
					}
					if r.Count == report.Small || r.Count == report.Hidden {
						hidden++
					}
				})
			}
		}
	}
	if hidden < 3 || withheld < 2 {
		t.Errorf("the fixture shows %d hidden cells and %d withheld tables: it does not exercise the rule", hidden, withheld)
	}
	if strings.Contains(strings.ToLower(main.Text()), "tổng cộng") || main.Find("tfoot").Length() > 0 {
		t.Error("the page adds counts up")
	}

	// A year beside one of its halves: the build stops.
	err = testsite.BuildWith(t.TempDir(), map[string][]byte{"data/so-lieu/2026.json": year, "data/so-lieu/2026-h1.json": files["data/so-lieu/2026-h1.json"]})
	if err == nil || !strings.Contains(err.Error(), "cover the same days") {
		t.Errorf("a year and its half built: %v", err)
	}
}
