package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/hoaphong/phongchongmaidam/internal/testsite"
)

// axeTags are the rules axe-core checks: WCAG 2.0, 2.1 and 2.2, levels A
// and AA.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}

// axeScript is axe-core's browser bundle, installed from e2e/package.json
// by scripts/test.sh (npm ci --prefix e2e).
func axeScript(t *testing.T) string {
	t.Helper()
	p := filepath.Join(testsite.Root(), "e2e", "node_modules", "axe-core", "axe.min.js")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("axe-core is missing (%v).\nRun scripts/test.sh, which installs it (npm ci --prefix e2e --no-audit --no-fund).", err)
	}
	return string(b)
}

type axeNode struct {
	Target  []string `json:"target"`
	HTML    string   `json:"html"`
	Summary string   `json:"failureSummary"`
}

type axeViolation struct {
	ID     string    `json:"id"`
	Impact string    `json:"impact"`
	Help   string    `json:"help"`
	Nodes  []axeNode `json:"nodes"`
}

type axeResult struct {
	Violations []axeViolation `json:"violations"`
	Passes     int            `json:"passes"`
	Version    string         `json:"version"`
}

// runAxe injects axe-core into the page open in ctx and runs it.
func runAxe(t *testing.T, ctx context.Context, script string) axeResult {
	t.Helper()
	do(t, ctx, chromedp.Evaluate[chromedp.Void](script))
	tags := `["` + strings.Join(axeTags, `","`) + `"]`
	return get(t, ctx, chromedp.Evaluate[axeResult](`axe.run(document, {runOnly: {type: "tag", values: `+tags+`}, resultTypes: ["violations"]})
		.then(function (r) {
			return {
				version: r.testEngine.version,
				passes: r.passes.length,
				violations: r.violations.map(function (v) {
					return {id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(function (n) {
						return {target: n.target.map(String), html: n.html, failureSummary: n.failureSummary};
					})};
				})
			};
		})`, chromedp.EvalAwaitPromise, chromedp.EvalAsValue))
}

// describe lists violations for a person to read.
func describe(vs []axeViolation) string {
	var b strings.Builder
	for _, v := range vs {
		fmt.Fprintf(&b, "\n- %s (%s): %s", v.ID, v.Impact, v.Help)
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "\n    at %s: %s\n      %s", strings.Join(n.Target, " "), n.HTML, strings.ReplaceAll(n.Summary, "\n", "\n      "))
		}
	}
	return b.String()
}

// TestAccessibility runs axe-core (WCAG 2.0–2.2 A and AA) on every kind of
// page in a real browser at phone size, and on the form states a person
// meets: the error summary and the confirmation with its receipt.
func TestAccessibility(t *testing.T) {
	script := axeScript(t)
	svc := startService(t)
	ctx := browser(t, true)
	pages := []struct {
		name, path string
		steps      []chromedp.Action[chromedp.Void]
	}{
		{"home", "/", nil},
		{"home, menu open", "/", []chromedp.Action[chromedp.Void]{chromedp.Click(chromedp.CSS(".menu summary"), chromedp.NodeVisible)}},
		{"section list", "/tuyen-truyen/", nil},
		{"article", "/tuyen-truyen/cach-gui-tin-bao-an-toan/", nil},
		{"broadcast list", "/phat-thanh/", nil},
		{"broadcast script", "/phat-thanh/cach-gui-tin-bao-cho-xa/", nil},
		{"law", "/phap-luat/", nil},
		{"hotlines", "/duong-day-nong/", nil},
		{"directory", "/danh-ba/", nil},
		{"directory, filtered", "/danh-ba/", []chromedp.Action[chromedp.Void]{chromedp.SendKeys(chromedp.ID("loc"), "hiv", chromedp.NodeVisible)}},
		{"service page", "/danh-ba/ngoi-nha-binh-yen/", nil},
		{"unverified service page", "/danh-ba/tro-giup-phap-ly-hung-yen/", nil},
		{"category page", "/danh-ba/nhom/hiv/", nil},
		{"categories", "/danh-ba/nhom/", nil},
		{"search", "/tim-kiem/", nil},
		{"search, results", "/tim-kiem/", []chromedp.Action[chromedp.Void]{
			chromedp.SendKeys(chromedp.ID("q"), "duong day nong", chromedp.NodeVisible),
			chromedp.WaitVisible(chromedp.CSS("[data-search-results] li")),
		}},
		{"printed material", "/tai-lieu-in/", nil},
		{"poster", "/tai-lieu-in/poster/", nil},
		{"leaflet", "/tai-lieu-in/to-roi/", nil},
		{"plan", "/ke-hoach-2024/", nil},
		{"published figures", "/so-lieu/", nil},
		{"sources register", "/nguon-thong-tin/", nil},
		{"about, contacts", "/gioi-thieu/", nil},
		{"new article", "/tuyen-truyen/sau-khi-gui-tin-bao/", nil},
		{"privacy", "/rieng-tu/", nil},
		{"safe browsing", "/luot-web-an-toan/", nil},
		{"tip form", "/gui-tin-bao/", nil},
		{"tip form, errors", "/gui-tin-bao/", []chromedp.Action[chromedp.Void]{
			chromedp.Click(chromedp.CSS(`button[data-submit]`), chromedp.NodeVisible),
			chromedp.WaitVisible(chromedp.CSS(`[data-error-summary]`)),
		}},
		{"tip form, confirmation", "/gui-tin-bao/", []chromedp.Action[chromedp.Void]{
			chromedp.SetValue(chromedp.ID("tip-category"), "karaoke", chromedp.NodeVisible),
			chromedp.SendKeys(chromedp.ID("tip-location"), "Thôn Đông"),
			chromedp.SendKeys(chromedp.ID("tip-description"), "Có người lạ ra vào lúc nửa đêm."),
			chromedp.Click(chromedp.CSS(`button[data-submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-receipt]`)),
		}},
		{"support form", "/yeu-cau-ho-tro/", nil},
		{"follow-up", "/tra-cuu/", nil},
		{"confirmation page", "/gui-tin-bao/da-gui/", nil},
		{"error page", "/loi/", nil},
		{"not found", "/khong-co-trang-nay/", nil},
	}
	version := ""
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			do(t, ctx, chromedp.Navigate(svc.URL+p.path), chromedp.WaitReady(chromedp.CSS("footer")))
			if len(p.steps) > 0 {
				do(t, ctx, p.steps...)
			}
			r := runAxe(t, ctx, script)
			version = r.Version
			if len(r.Violations) > 0 {
				t.Errorf("%s (%s): %d accessibility violations:%s", p.name, p.path, len(r.Violations), describe(r.Violations))
			}
		})
	}
	t.Logf("axe-core %s, tags %v: %d page states checked", version, axeTags, len(pages))
}

// TestAccessibilityOfPagedLists runs axe-core on what only a large directory
// shows: the site built with 4 services to a list page and 5 to a part of
// the search index, served as static files. The pager on a middle page of
// /danh-ba/ and of a category, and search results gathered from several
// parts of the index.
func TestAccessibilityOfPagedLists(t *testing.T) {
	script := axeScript(t)
	dir := t.TempDir()
	if err := testsite.BuildInto(dir, "HUGO_PARAMS_DIRECTORYPAGESIZE=4", "HUGO_PARAMS_SEARCHCHUNKSIZE=5"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(srv.Close)
	ctx := browser(t, true)
	for _, p := range []struct {
		name, path string
		steps      []chromedp.Action[chromedp.Void]
	}{
		{"directory, page 2", "/danh-ba/trang/2/", nil},
		{"category, page 2", "/danh-ba/nhom/counselling/trang/2/", nil},
		{"search across parts", "/tim-kiem/", []chromedp.Action[chromedp.Void]{
			chromedp.SendKeys(chromedp.ID("q"), "tu van", chromedp.NodeVisible),
			chromedp.WaitVisible(chromedp.CSS("[data-search-results] li")),
		}},
	} {
		t.Run(p.name, func(t *testing.T) {
			do(t, ctx, chromedp.Navigate(srv.URL+p.path), chromedp.WaitReady(chromedp.CSS("footer")))
			if len(p.steps) > 0 {
				do(t, ctx, p.steps...)
			}
			if n := get(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll(".pager a, [data-search-results] li").length`)); n == 0 {
				t.Fatalf("%s: no pager and no results: nothing paged to check", p.path)
			}
			if r := runAxe(t, ctx, script); len(r.Violations) > 0 {
				t.Errorf("%s (%s): %d accessibility violations:%s", p.name, p.path, len(r.Violations), describe(r.Violations))
			}
		})
	}
}

// TestAccessibilityOfPublishedFigures runs axe-core on /so-lieu/ as it is
// once report files exist: the site built with two half-years of test
// figures (written by the service's own code), with their tables, "dưới 3"
// and "ẩn" cells and withheld tables.
func TestAccessibilityOfPublishedFigures(t *testing.T) {
	script := axeScript(t)
	files, err := testsite.StatisticsFiles("2026-H1", "2026-H2")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := testsite.BuildWith(dir, files); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(srv.Close)
	ctx := browser(t, true)
	do(t, ctx, chromedp.Navigate(srv.URL+"/so-lieu/"), chromedp.WaitReady(chromedp.CSS("footer")))
	if n := get(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("main table [data-count]").length`)); n == 0 {
		t.Fatal("/so-lieu/ shows no table: nothing to check")
	}
	if r := runAxe(t, ctx, script); len(r.Violations) > 0 {
		t.Errorf("/so-lieu/: %d accessibility violations:%s", len(r.Violations), describe(r.Violations))
	}
}
