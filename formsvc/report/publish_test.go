package report_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hoaphong/phongchongmaidam/data"
	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/report"
)

// published is a table as a reader sees it: the total and the cells (nil
// when the table is withheld).
func published(cells []string, withheld bool, total int) string {
	if withheld {
		return report.SuppressCount(total) + "|withheld"
	}
	return report.SuppressCount(total) + "|" + strings.Join(cells, ",")
}

// checkGroups: for every published form, each count the reader does not
// see (a "<3", an "ẩn", any row of a withheld table, a "<3" total) can
// still be more than one number among the tables that publish that form.
func checkGroups(t *testing.T, what string, groups map[string][][]int, cellsOf map[string][]string) {
	t.Helper()
	for key, tables := range groups {
		cells := cellsOf[key]
		n := len(tables[0])
		for i := range n {
			if cells != nil && cells[i] != report.Small && cells[i] != report.Hidden {
				continue // shown as it is
			}
			seen := map[int]bool{}
			for _, tb := range tables {
				seen[tb[i]] = true
			}
			if len(seen) < 2 {
				t.Errorf("%s: published as %q, row %d can only be %v (tables %v)", what, key, i, tables[0][i], tables)
			}
		}
		if strings.HasPrefix(key, report.Small+"|") {
			seen := map[int]bool{}
			for _, tb := range tables {
				s := 0
				for _, v := range tb {
					s += v
				}
				seen[s] = true
			}
			if len(seen) < 2 && n > 0 {
				// Only the table's total: it reads "<3" and may be 1 or 2
				// unless every table of that form has the same total.
				t.Errorf("%s: published as %q, the total can only be one number", what, key)
			}
		}
	}
}

// compositions calls fn with every way of splitting total into n counts.
func compositions(n, total int, fn func([]int)) {
	c := make([]int, n)
	var rec func(i, left int)
	rec = func(i, left int) {
		if i == n-1 {
			c[i] = left
			fn(slices.Clone(c))
			return
		}
		for v := 0; v <= left; v++ {
			c[i] = v
			rec(i+1, left-v)
		}
	}
	rec(0, total)
}

// TestSuppressionAgainstAReaderWhoKnowsTheRule tries every table of a
// partition (rows splitting the total) up to a size, and every set of
// support requests over three services, groups the tables by what their
// publication shows, and checks that within each group every count the
// reader does not see takes more than one value: knowing the rule and
// every table it could come from, a reader still cannot tell a hidden
// count.
func TestSuppressionAgainstAReaderWhoKnowsTheRule(t *testing.T) {
	for _, size := range []struct{ rows, maxTotal int }{{1, 12}, {2, 16}, {3, 16}, {4, 14}, {7, 9}} {
		groups := map[string][][]int{}
		cellsOf := map[string][]string{}
		for total := 0; total <= size.maxTotal; total++ {
			compositions(size.rows, total, func(c []int) {
				cells, withheld := report.SuppressPartition(c, total)
				if !withheld && len(cells) != len(c) {
					t.Fatalf("%v: %d cells", c, len(cells))
				}
				for i, s := range cells {
					if s != report.Small && s != report.Hidden && s != fmt.Sprint(c[i]) {
						t.Fatalf("%v: row %d published as %q", c, i, s)
					}
				}
				key := published(cells, withheld, total)
				groups[key] = append(groups[key], c)
				cellsOf[key] = cells
			})
		}
		checkGroups(t, fmt.Sprintf("partition of %d rows", size.rows), groups, cellsOf)
	}

	// Support requests, each asking for a non-empty set of three services:
	// every multiset of up to 6 requests.
	subsets := [][]int{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 1, 0}, {1, 0, 1}, {0, 1, 1}, {1, 1, 1}}
	groups := map[string][][]int{}
	cellsOf := map[string][]string{}
	var rec func(start, total int, counts []int)
	rec = func(start, total int, counts []int) {
		cells, withheld := report.SuppressOverlapping(counts, total)
		key := published(cells, withheld, total)
		groups[key] = append(groups[key], slices.Clone(counts))
		cellsOf[key] = cells
		if total == 6 {
			return
		}
		for i := start; i < len(subsets); i++ {
			next := slices.Clone(counts)
			for j := range next {
				next[j] += subsets[i][j]
			}
			rec(i, total+1, next)
		}
	}
	rec(0, 0, []int{0, 0, 0})
	checkGroups(t, "services", groups, cellsOf)
}

// memFacts is a FactsService over facts held in memory.
type memFacts []formsvc.Facts

func (m memFacts) EachFacts(_ context.Context, f formsvc.CaseFilter, fn func(formsvc.Facts) error) error {
	for _, x := range m {
		if !slices.Contains(f.Kinds, x.Kind) || x.CreatedAt.Before(f.From) || !x.CreatedAt.Before(f.To) {
			continue
		}
		if err := fn(x); err != nil {
			return err
		}
	}
	return nil
}

func publication(t *testing.T, fs formsvc.FactsService, code string) *report.Publication {
	t.Helper()
	spec, err := formsvc.LoadSpec(data.FormsYAML, data.ReferralsYAML)
	if err != nil {
		t.Fatal(err)
	}
	p, err := report.ParsePeriod(code)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := report.BuildPublication(context.Background(), fs, spec, []formsvc.Kind{formsvc.KindTip, formsvc.KindSupport}, p,
		"Ủy ban nhân dân phường Thử", time.Date(2027, 1, 5, 9, 0, 0, 0, ict))
	if err != nil {
		t.Fatal(err)
	}
	// What is written is what is read back.
	var buf bytes.Buffer
	if err := report.WriteJSON(&buf, pub); err != nil {
		t.Fatal(err)
	}
	back, err := report.ReadPublication(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return back
}

func row(t *testing.T, pub *report.Publication, kind, table, code string) string {
	t.Helper()
	for _, k := range pub.Kinds {
		for _, tb := range k.Tables {
			if k.Kind != kind || tb.ID != table {
				continue
			}
			if tb.Withheld {
				return "withheld"
			}
			for _, r := range tb.Rows {
				if r.Code == code {
					return r.Count
				}
			}
		}
	}
	t.Fatalf("no row %s/%s/%s", kind, table, code)
	return ""
}

func TestBuildPublication(t *testing.T) {
	pub := publication(t, store(t), "2026-H1")
	if pub.Period != (report.PublishedPeriod{Code: "2026-H1", Label: "6 tháng đầu năm 2026", From: "2026-01-01", To: "2026-06-30"}) {
		t.Errorf("period = %+v", pub.Period)
	}
	if pub.Format != report.PublicationFormat || pub.SmallCount != 3 || pub.Generated != "2027-01-05T09:00:00+07:00" {
		t.Errorf("format %q, small_count %d, generated %q", pub.Format, pub.SmallCount, pub.Generated)
	}
	tips, sup := pub.Kinds[0], pub.Kinds[1]
	// 7 tips: 5 karaoke, 2 online. The "<3" alone beside the total would
	// give itself away, so karaoke is hidden too.
	if tips.Received != "7" || row(t, pub, "tip", "category", "online") != "<3" || row(t, pub, "tip", "category", "karaoke") != report.Hidden ||
		row(t, pub, "tip", "category", "massage") != "0" {
		t.Errorf("tips: received %s, by category %+v", tips.Received, tips.Tables[0])
	}
	// No tip was acted on.
	if row(t, pub, "tip", "outcome", report.OutcomeNone) != "7" || tips.MedianFirstAction != report.NoMedian {
		t.Errorf("tip outcomes %+v, median %q", tips.Tables[1], tips.MedianFirstAction)
	}
	// 2 support requests: only the total, as "<3".
	if sup.Received != "<3" || !sup.Tables[0].Withheld || !sup.Tables[1].Withheld || sup.MedianFirstAction != report.MedianWithheld {
		t.Errorf("support: %+v", sup)
	}
	if err := report.Audit(map[string]*report.Publication{"2026-h1.json": pub}); err != nil {
		t.Error(err)
	}
	// Custom spans are not published: they could overlap in any way.
	spec, _ := formsvc.LoadSpec(data.FormsYAML, data.ReferralsYAML)
	p, _ := report.ParsePeriod("2026-01-01..2026-03-31")
	if _, err := report.BuildPublication(context.Background(), store(t), spec, []formsvc.Kind{formsvc.KindTip}, p, "x", time.Now()); err == nil {
		t.Error("a publication for a custom span was built")
	}
}

// randomFacts makes n records spread over 2025-07-01..2026-12-31, with few
// in some categories so that small counts are common.
func randomFacts(r *rand.Rand, n int) memFacts {
	cats := []string{"karaoke", "massage", "lodging", "cafe_bar", "online", "street", "other"}
	svcs := []string{"health", "hiv", "legal_aid", "vocational_training", "job", "counselling", "shelter", "reintegration", "other"}
	start := time.Date(2025, 7, 1, 0, 0, 0, 0, ict)
	var out memFacts
	for range n {
		at := start.Add(time.Duration(r.Int64N(int64(548 * 24 * time.Hour))))
		f := formsvc.Facts{Kind: formsvc.KindTip, Status: "received", Priority: "normal", CreatedAt: at}
		if r.IntN(3) == 0 {
			f.Kind = formsvc.KindSupport
			for _, s := range svcs {
				if r.IntN(4) == 0 {
					f.Services = append(f.Services, s)
				}
			}
			if f.Services == nil {
				f.Services = []string{svcs[r.IntN(len(svcs))]}
			}
		} else {
			// Skewed: the first categories are common, the last rare.
			f.Category = cats[min(r.IntN(len(cats)), r.IntN(len(cats)))]
		}
		switch r.IntN(4) {
		case 0:
		case 1:
			f.FirstActionAt = at.Add(time.Duration(1+r.IntN(90)) * time.Hour)
			f.Status = "closed"
		default:
			f.FirstActionAt = at.Add(time.Duration(1+r.IntN(90)) * time.Hour)
			f.Status = "referred"
			f.Reached = []formsvc.Status{"referred"}
		}
		out = append(out, f)
	}
	return out
}

// TestPublishedPeriodsTogether: for many random sets of records, the
// publications of 2025-H2, 2026-H1 and 2026-H2 pass the audit read
// together (each file's hidden counts stay hidden given its totals, and no
// two files cover the same day, so no count of one can be taken from
// another); a file for the whole of 2026 beside its halves is refused,
// because the year minus a half would give the other half's hidden counts
// back; and files changed by hand to show a small count, or to drop a
// secondary "ẩn", are refused.
func TestPublishedPeriodsTogether(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 2026))
	hidden := 0
	for round := range 60 {
		fs := randomFacts(r, 5+r.IntN(80))
		pubs := map[string]*report.Publication{}
		for _, code := range []string{"2025-H2", "2026-H1", "2026-H2"} {
			pubs[strings.ToLower(code)+".json"] = publication(t, fs, code)
		}
		if err := report.Audit(pubs); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		for _, p := range pubs {
			for _, k := range p.Kinds {
				for _, tb := range k.Tables {
					for _, rw := range tb.Rows {
						if rw.Count == report.Small || rw.Count == report.Hidden {
							hidden++
						}
					}
				}
			}
		}
		pubs["2026.json"] = publication(t, fs, "2026")
		if err := report.Audit(pubs); err == nil || !strings.Contains(err.Error(), "cover the same days") {
			t.Errorf("round %d: a year beside its halves: %v", round, err)
		}
	}
	if hidden < 100 {
		t.Errorf("only %d hidden counts in all rounds: the random data do not exercise the rule", hidden)
	}

	// Hand-made changes the audit must catch.
	base := func() *report.Publication {
		return publication(t, memFacts{
			{Kind: formsvc.KindTip, Category: "karaoke", CreatedAt: time.Date(2026, 2, 1, 0, 0, 0, 0, ict)},
			{Kind: formsvc.KindTip, Category: "karaoke", CreatedAt: time.Date(2026, 2, 2, 0, 0, 0, 0, ict)},
			{Kind: formsvc.KindTip, Category: "karaoke", CreatedAt: time.Date(2026, 2, 3, 0, 0, 0, 0, ict)},
			{Kind: formsvc.KindTip, Category: "karaoke", CreatedAt: time.Date(2026, 2, 4, 0, 0, 0, 0, ict)},
			{Kind: formsvc.KindTip, Category: "online", CreatedAt: time.Date(2026, 2, 5, 0, 0, 0, 0, ict)},
		}, "2026-H1")
	}
	set := func(p *report.Publication, code, count string) {
		for i := range p.Kinds[0].Tables[0].Rows {
			if p.Kinds[0].Tables[0].Rows[i].Code == code {
				p.Kinds[0].Tables[0].Rows[i].Count = count
			}
		}
	}
	if got := row(t, base(), "tip", "category", "karaoke"); got != report.Hidden {
		t.Fatalf("karaoke = %q beside one online tip", got)
	}
	for name, change := range map[string]func(*report.Publication){
		"a small count shown": func(p *report.Publication) { set(p, "online", "1"); set(p, "karaoke", "4") },
		"the ẩn dropped":      func(p *report.Publication) { set(p, "karaoke", "4") },
		"another period":      func(p *report.Publication) { p.Period.To = "2026-12-31" },
	} {
		p := base()
		change(p)
		if err := report.Audit(map[string]*report.Publication{"x.json": p}); err == nil {
			t.Errorf("%s: the audit passed", name)
		}
	}
}
