package site_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/hoaphong/phongchongmaidam/internal/testsite"
)

// TestDirectoryAndSearchPaginate builds the real site with small pages
// (4 services to a list page, 5 to a part of the search index), as if the
// directory were large: /danh-ba/ and each category page through every
// service in the data's order, with working links between the pages and no
// filter that would only see one page; the search index comes in parts that
// hold every service once, and the search page links to the directory
// instead of listing the services one by one.
func TestDirectoryAndSearchPaginate(t *testing.T) {
	const pageSize, chunkSize = 4, 5
	dir := t.TempDir()
	if err := testsite.BuildInto(dir, fmt.Sprintf("HUGO_PARAMS_DIRECTORYPAGESIZE=%d", pageSize),
		fmt.Sprintf("HUGO_PARAMS_SEARCHCHUNKSIZE=%d", chunkSize)); err != nil {
		t.Fatal(err)
	}
	open := func(u string) *goquery.Document {
		t.Helper()
		f, err := os.Open(filepath.Join(dir, filepath.FromSlash(u), "index.html"))
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		defer f.Close()
		doc, err := goquery.NewDocumentFromReader(f)
		if err != nil {
			t.Fatal(err)
		}
		return doc
	}
	d := services(t)
	var all []string
	inCategory := map[string][]string{}
	for _, s := range d.Services {
		u := "/danh-ba/" + s.ID + "/"
		all = append(all, u)
		for _, c := range s.Categories {
			inCategory[c] = append(inCategory[c], u)
		}
	}

	// walk follows the "next" links from first and returns the services
	// listed, in order.
	walk := func(first string, want []string) {
		t.Helper()
		pages := (len(want) + pageSize - 1) / pageSize
		var got []string
		u := first
		for n := 1; u != ""; n++ {
			doc := open(u)
			if title := doc.Find("title").Text(); pages > 1 && !strings.Contains(title, fmt.Sprintf("trang %d/%d", n, pages)) {
				t.Errorf("%s: title %q does not say page %d of %d", u, title, n, pages)
			}
			if cur := doc.Find(`.pager a[aria-current="page"]`).Text(); pages > 1 && cur != fmt.Sprint(n) {
				t.Errorf("%s: the pager marks page %q as current, want %d", u, cur, n)
			}
			if doc.Find("[data-directory-filters], [data-directory-list]").Length() != 0 {
				t.Errorf("%s: a filter that would only see this page's services", u)
			}
			doc.Find("main .services > li").Each(func(_ int, li *goquery.Selection) {
				got = append(got, li.Find("h2 a, h3 a").First().AttrOr("href", ""))
			})
			if n > pages+1 {
				t.Fatalf("%s: more than %d pages", first, pages)
			}
			u = doc.Find(`.pager a[rel="next"]`).AttrOr("href", "")
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s and its next pages list %v, want %v", first, got, want)
		}
	}
	walk("/danh-ba/", all)
	if _, err := os.Stat(filepath.Join(dir, "danh-ba", "trang", "1")); err == nil {
		t.Errorf("/danh-ba/trang/1/ exists: the first page must have one address")
	}
	last := open(fmt.Sprintf("/danh-ba/trang/%d/", (len(all)+pageSize-1)/pageSize))
	if last.Find(`.pager a[rel="prev"]`).Length() != 1 || last.Find(`.pager a[rel="next"]`).Length() != 0 {
		t.Errorf("the last page of /danh-ba/ must link back and not forward")
	}
	for _, c := range d.Categories {
		if len(inCategory[c.Code]) > 0 {
			walk("/danh-ba/nhom/"+c.Code+"/", inCategory[c.Code])
		}
	}

	search := open("/tim-kiem/")
	partURLs := strings.Fields(search.Find("[data-search-form]").AttrOr("data-index-parts", ""))
	if want := (len(all) + chunkSize - 1) / chunkSize; len(partURLs) != want {
		t.Fatalf("the search index has %d parts of services, want %d", len(partURLs), want)
	}
	var indexed []string
	for _, p := range partURLs {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil {
			t.Fatal(err)
		}
		var part []struct{ U string }
		decodeInto(t, b, &part)
		if len(part) > chunkSize {
			t.Errorf("%s holds %d services, more than %d", p, len(part), chunkSize)
		}
		for _, it := range part {
			indexed = append(indexed, it.U)
		}
	}
	if !slices.Equal(indexed, all) {
		t.Errorf("the parts of the search index hold %v, want %v", indexed, all)
	}
	if n := search.Find(`[data-search-all] a[href^="/danh-ba/"]`).FilterFunction(func(_ int, a *goquery.Selection) bool {
		return slices.Contains(all, a.AttrOr("href", ""))
	}).Length(); n != 0 {
		t.Errorf("/tim-kiem/ lists %d services one by one; with more than a part's worth it must link to the directory", n)
	}
	if !strings.Contains(search.Find("[data-search-all]").Text(), fmt.Sprintf("Cùng %d dịch vụ hỗ trợ", len(all))) {
		t.Errorf("/tim-kiem/ does not say how many services the directory has")
	}
}
