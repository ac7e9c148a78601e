package e2e

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/hoaphong/phongchongmaidam/internal/testsite"
)

// TestHomeAboveTheFold: on a 360×740 phone the three actions (send a tip,
// ask for help, call 111) are on the first screen, and the header is one
// short row.
func TestHomeAboveTheFold(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			svc := startService(t)
			ctx := browser(t, m.js)
			do(t, ctx, chromedp.Navigate(svc.URL+"/"), chromedp.WaitVisible(chromedp.CSS("a.action")))
			screen := get(t, ctx, chromedp.Evaluate[float64](`window.innerHeight`))
			bottoms := get(t, ctx, chromedp.Evaluate[[]float64](`Array.from(document.querySelectorAll("main a.action")).map(function (a) { return a.getBoundingClientRect().bottom; })`))
			if len(bottoms) != 3 {
				t.Fatalf("home has %d actions, want 3", len(bottoms))
			}
			for i, b := range bottoms {
				if b > screen {
					t.Errorf("action %d ends at %.0f px, below the first screen (%.0f px)", i+1, b, screen)
				}
			}
			if h := get(t, ctx, chromedp.Evaluate[float64](`document.querySelector(".site-header").getBoundingClientRect().height`)); h > 80 {
				t.Errorf("the header is %.0f px high on a phone; the menu must stay one row", h)
			}
		})
	}
}

// TestMenuWithoutJavaScript: the "Mục lục" menu opens with JavaScript off.
func TestMenuWithoutJavaScript(t *testing.T) {
	svc := startService(t)
	ctx := browser(t, false)
	do(t, ctx,
		chromedp.Navigate(svc.URL+"/"),
		chromedp.Click(chromedp.CSS(".menu summary"), chromedp.NodeVisible),
		chromedp.WaitVisible(chromedp.CSS(`.menu a[href="/danh-ba/"]`)),
		chromedp.Click(chromedp.CSS(`.menu a[href="/danh-ba/"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-directory-list]`)),
	)
}

// TestSearchFoldsDiacritics: typed without Vietnamese marks, the search
// finds pages written with them; nothing typed goes into the address.
func TestSearchFoldsDiacritics(t *testing.T) {
	svc := startService(t)
	ctx := browser(t, true)
	for _, c := range []struct{ query, first, title string }{
		{"duong day nong", "/duong-day-nong/", ""},
		{"Đường dây nóng", "/duong-day-nong/", ""},
		{"mai dam", "", "mại dâm"},
		{"danh ba dich vu", "/danh-ba/", ""},
		// A service: in a later part of the index than the pages.
		{"ngoi nha binh yen", "/danh-ba/ngoi-nha-binh-yen/", ""},
	} {
		t.Run(c.query, func(t *testing.T) {
			do(t, ctx,
				chromedp.Navigate(svc.URL+"/tim-kiem/"),
				chromedp.SendKeys(chromedp.ID("q"), c.query, chromedp.NodeVisible),
				chromedp.WaitVisible(chromedp.CSS("[data-search-results] li a")),
			)
			// Results show from the first part of the index; wait for the last.
			for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
				status := get(t, ctx, chromedp.Evaluate[string](`document.querySelector("[data-search-status]").textContent`))
				if strings.HasPrefix(status, "Tìm thấy") && !strings.Contains(status, "đang tìm tiếp") {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%q: the search did not finish: status %q", c.query, status)
				}
			}
			hrefs := get(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("[data-search-results] li a")).map(function (a) { return a.getAttribute("href"); })`))
			titles := get(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("[data-search-results] li a")).map(function (a) { return a.textContent.toLowerCase(); })`))
			if c.first != "" && hrefs[0] != c.first {
				t.Errorf("%q: first result %s, want %s (all: %v)", c.query, hrefs[0], c.first, hrefs)
			}
			if c.title != "" && !slices.ContainsFunc(titles, func(s string) bool { return strings.Contains(s, c.title) }) {
				t.Errorf("%q: no result titled with %q: %v", c.query, c.title, titles)
			}
			if visible := get(t, ctx, chromedp.Evaluate[bool](`!document.querySelector("[data-search-all]").hidden`)); visible {
				t.Errorf("the list of every page still shows under the results")
			}
			if get(t, ctx, chromedp.Evaluate[bool](`document.getElementById("q").disabled`)) {
				t.Errorf("the search box is still disabled with JavaScript on")
			}
			if u := get(t, ctx, chromedp.Location()); !strings.HasSuffix(u, "/tim-kiem/") {
				t.Errorf("the address changed to %s: the words typed must stay out of it", u)
			}
		})
	}
}

// TestSearchFromTheAddress: /tim-kiem/?q=… runs the search on load, then
// drops the words from the address; the button "Tìm" searches too.
func TestSearchFromTheAddress(t *testing.T) {
	svc := startService(t)
	ctx := browser(t, true)
	do(t, ctx,
		chromedp.Navigate(svc.URL+"/tim-kiem/?q=duong+day+nong"),
		chromedp.WaitVisible(chromedp.CSS("[data-search-results] li a")),
	)
	if v := get(t, ctx, chromedp.Evaluate[string](`document.getElementById("q").value`)); v != "duong day nong" {
		t.Errorf("the box holds %q, want the words of ?q=", v)
	}
	first := get(t, ctx, chromedp.Evaluate[string](`document.querySelector("[data-search-results] li a").getAttribute("href")`))
	if first != "/duong-day-nong/" {
		t.Errorf("?q=duong+day+nong: first result %s", first)
	}
	if u := get(t, ctx, chromedp.Location()); strings.Contains(u, "?") || !strings.HasSuffix(u, "/tim-kiem/") {
		t.Errorf("the words stay in the address: %s", u)
	}
	// The button, with the box filled by script (no input event).
	do(t, ctx,
		chromedp.Evaluate[chromedp.Void](`document.getElementById("q").value = "danh ba dich vu"`),
		chromedp.Click(chromedp.CSS("[data-search-button]"), chromedp.NodeVisible),
	)
	get(t, ctx, chromedp.Poll[bool](`document.querySelector("[data-search-results] li a").getAttribute("href") === "/danh-ba/"`))
	if u := get(t, ctx, chromedp.Location()); !strings.HasSuffix(u, "/tim-kiem/") {
		t.Errorf("the button moved the page to %s", u)
	}
}

// TestSearchWithoutJavaScript: with JavaScript off /tim-kiem/ lists every
// page of the built site, and the search box (which would do nothing) is
// disabled.
func TestSearchWithoutJavaScript(t *testing.T) {
	svc := startService(t)
	ctx := browser(t, false)
	do(t, ctx, chromedp.Navigate(svc.URL+"/tim-kiem/"), chromedp.WaitVisible(chromedp.CSS("[data-search-all]")))
	listed := get(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("[data-search-all] a")).filter(function (a) { return a.offsetParent !== null; }).map(function (a) { return a.getAttribute("href"); })`))
	if !get(t, ctx, chromedp.Evaluate[bool](`document.getElementById("q").disabled && document.querySelector("[data-search-button]").disabled`)) {
		t.Errorf("the search box or its button, which do nothing without JavaScript, is not disabled")
	}
	root := testsite.Build(t)
	var want []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.Name() != "index.html" {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		u := "/" + filepath.ToSlash(strings.TrimSuffix(rel, "index.html"))
		if u == "/tim-kiem/" || testsite.Unlisted(u) {
			return nil
		}
		want = append(want, u)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(want) < 40 {
		t.Fatalf("found %d pages in the built site", len(want))
	}
	slices.Sort(want)
	slices.Sort(listed)
	if !slices.Equal(listed, want) {
		t.Errorf("/tim-kiem/ without JavaScript lists %d pages, the site has %d:\nlisted %v\nsite   %v", len(listed), len(want), listed, want)
	}
}

// TestDirectoryFilter: with JavaScript the directory narrows as one types
// (without marks) or picks a category; without it, every service shows and
// the categories are links.
func TestDirectoryFilter(t *testing.T) {
	visible := `Array.from(document.querySelectorAll("[data-directory-list] > li")).filter(function (li) { return !li.hidden && li.offsetParent !== null; }).map(function (li) { return li.querySelector("a").getAttribute("href"); })`
	t.Run("javascript on", func(t *testing.T) {
		svc := startService(t)
		ctx := browser(t, true)
		do(t, ctx, chromedp.Navigate(svc.URL+"/danh-ba/"), chromedp.WaitVisible(chromedp.ID("loc")))
		all := get(t, ctx, chromedp.Evaluate[[]string](visible))
		do(t, ctx, chromedp.SendKeys(chromedp.ID("loc"), "noi tam lanh"))
		hits := get(t, ctx, chromedp.Evaluate[[]string](visible))
		if len(hits) == 0 || len(hits) >= len(all) || !slices.Contains(hits, "/danh-ba/ngoi-nha-binh-yen/") {
			t.Errorf(`"noi tam lanh" shows %v of %d`, hits, len(all))
		}
		// Empty the box and pick the category, firing the events a person's
		// typing and choosing fire.
		do(t, ctx, chromedp.Evaluate[chromedp.Void](`(function () {
			var q = document.getElementById("loc"), c = document.getElementById("loc-nhom");
			q.value = ""; q.dispatchEvent(new Event("input"));
			c.value = "hiv"; c.dispatchEvent(new Event("change"));
		})()`))
		hiv := get(t, ctx, chromedp.Evaluate[[]string](visible))
		want := get(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('[data-directory-list] > li[data-categories~="hiv"] h3 a')).map(function (a) { return a.getAttribute("href"); })`))
		if len(want) == 0 || !slices.Equal(hiv, want) {
			t.Errorf("category hiv shows %v, want %v", hiv, want)
		}
		if s := get(t, ctx, chromedp.Text(chromedp.CSS("[data-directory-count]"))); !strings.Contains(s, "Tìm thấy") {
			t.Errorf("the count says %q", s)
		}
		hivName := get(t, ctx, chromedp.Evaluate[string](`document.querySelector('#loc-nhom option[value="hiv"]').textContent`))
		if h := get(t, ctx, chromedp.Text(chromedp.ID("ds"))); h != fmt.Sprintf("Dịch vụ: %s (%d)", hivName, len(want)) {
			t.Errorf("filtered by category, the heading says %q", h)
		}
		do(t, ctx, chromedp.Evaluate[chromedp.Void](`(function () {
			var q = document.getElementById("loc"), c = document.getElementById("loc-nhom");
			c.value = ""; c.dispatchEvent(new Event("change"));
			q.value = "noi tam lanh"; q.dispatchEvent(new Event("input"));
		})()`))
		if h := get(t, ctx, chromedp.Text(chromedp.ID("ds"))); h != fmt.Sprintf("Dịch vụ khớp “noi tam lanh” (%d)", len(hits)) {
			t.Errorf("filtered by words, the heading says %q", h)
		}
		do(t, ctx, chromedp.Evaluate[chromedp.Void](`(function () {
			var q = document.getElementById("loc"); q.value = ""; q.dispatchEvent(new Event("input"));
		})()`))
		if h := get(t, ctx, chromedp.Text(chromedp.ID("ds"))); h != "Tất cả dịch vụ" {
			t.Errorf("unfiltered, the heading says %q", h)
		}
	})
	t.Run("javascript off", func(t *testing.T) {
		svc := startService(t)
		ctx := browser(t, false)
		do(t, ctx, chromedp.Navigate(svc.URL+"/danh-ba/"), chromedp.WaitVisible(chromedp.CSS("[data-directory-list]")))
		if n := len(get(t, ctx, chromedp.Evaluate[[]string](visible))); n < 10 {
			t.Errorf("%d services show without JavaScript", n)
		}
		do(t, ctx, chromedp.Click(chromedp.CSS(`.filters-static a[href="/danh-ba/nhom/hiv/"]`), chromedp.NodeVisible),
			chromedp.WaitVisible(chromedp.CSS("main .services")))
		if h1 := get(t, ctx, chromedp.Text(chromedp.CSS("h1"))); !strings.Contains(h1, "HIV") {
			t.Errorf("the category page's title is %q", h1)
		}
	})
}

var pdfPage = regexp.MustCompile(`/Type\s*/Page[^s]`)

// TestPrintedSheetsFitOnePage: the poster and the leaflet print on one A4
// sheet each, as the browser's Print makes them.
func TestPrintedSheetsFitOnePage(t *testing.T) {
	svc := startService(t)
	ctx := browser(t, true)
	for _, p := range []string{"/tai-lieu-in/poster/", "/tai-lieu-in/to-roi/"} {
		do(t, ctx, chromedp.Navigate(svc.URL+p), chromedp.WaitVisible(chromedp.CSS("figure.qr img")))
		pdf := get(t, ctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFPreferCSSPageSize()))
		if n := len(pdfPage.FindAll(pdf, -1)); n != 1 {
			t.Errorf("%s prints on %d A4 pages, want 1", p, n)
		}
	}
}

// TestExitThisPage: Shift pressed three times leaves the page at once
// (the exit link's address, here pointed at this site so that the test
// needs no network); typing capitals in a form, each with Shift, does not.
func TestExitThisPage(t *testing.T) {
	svc := startService(t)
	ctx := browser(t, true)
	away := svc.URL + "/luot-web-an-toan/"
	do(t, ctx,
		chromedp.Navigate(svc.URL+"/gui-tin-bao/"),
		chromedp.WaitVisible(chromedp.ID("tip-location")),
		chromedp.Evaluate[chromedp.Void](`document.querySelector("[data-exit]").href = "`+away+`"`),
		chromedp.SendKeys(chromedp.ID("tip-location"), kb.Shift+"T"+kb.Shift+"H"+kb.Shift+"Ô"+kb.Shift+"N"),
	)
	// The key handlers ran before the typed text reached the field, and
	// leaving would have hidden the page at once (site.js sets display
	// none before it navigates): read both together.
	state := get(t, ctx, chromedp.Evaluate[string](`document.getElementById("tip-location").value + "|" + document.documentElement.style.display`))
	if state != "THÔN|" {
		t.Fatalf("after typing capitals: field|display = %q, want \"THÔN|\" (the page stayed)", state)
	}
	if u := get(t, ctx, chromedp.Location()); !strings.HasSuffix(u, "/gui-tin-bao/") {
		t.Fatalf("typing capitals left the page for %s", u)
	}
	do(t, ctx, chromedp.SendKeys(chromedp.ID("tip-location"), kb.Shift+kb.Shift+kb.Shift))
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if u := get(t, ctx, chromedp.Location()); u == away {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("Shift three times: still at %s, want %s", u, away)
		}
	}
	// The page left without a history entry: Back does not return to the form.
	if n := get(t, ctx, chromedp.Evaluate[int](`history.length`)); n > 2 {
		t.Errorf("history has %d entries: leaving added one", n)
	}
}
