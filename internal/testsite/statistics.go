package testsite

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/hoaphong/phongchongmaidam/data"
	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/report"
)

// memFacts is a FactsService over records held in memory.
type memFacts []formsvc.Facts

func (m memFacts) EachFacts(_ context.Context, f formsvc.CaseFilter, fn func(formsvc.Facts) error) error {
	for _, x := range m {
		if slices.Contains(f.Kinds, x.Kind) && !x.CreatedAt.Before(f.From) && x.CreatedAt.Before(f.To) {
			if err := fn(x); err != nil {
				return err
			}
		}
	}
	return nil
}

// statisticsRecords are records over 2026: categories with one or two
// tips, a half-year with two support requests only, actions and referrals.
func statisticsRecords() memFacts {
	ict := formsvc.Vietnam
	var out memFacts
	add := func(k formsvc.Kind, month, day int, code string, acted, referred bool) {
		at := time.Date(2026, time.Month(month), day, 9, 0, 0, 0, ict)
		f := formsvc.Facts{Kind: k, Status: "received", Priority: "normal", CreatedAt: at}
		if k == formsvc.KindTip {
			f.Category = code
		} else {
			f.Services = strings.Split(code, "+")
		}
		if acted || referred {
			f.FirstActionAt = at.Add(time.Duration(3+day) * time.Hour)
			f.Status = "closed"
		}
		if referred {
			f.Status, f.Reached = "referred", []formsvc.Status{"referred"}
		}
		out = append(out, f)
	}
	for d := 1; d <= 6; d++ {
		add(formsvc.KindTip, 1, d, "karaoke", d%2 == 0, d == 1)
	}
	add(formsvc.KindTip, 3, 2, "online", true, false)
	add(formsvc.KindSupport, 2, 1, "hiv", true, false)
	add(formsvc.KindSupport, 2, 9, "job+vocational_training", false, false)
	for d := 1; d <= 9; d++ {
		add(formsvc.KindTip, 8, d, []string{"massage", "lodging", "cafe_bar"}[d%3], true, d > 6)
	}
	add(formsvc.KindTip, 9, 1, "street", false, false)
	for d := 1; d <= 5; d++ {
		add(formsvc.KindSupport, 10, d, []string{"health+hiv", "job", "hiv"}[d%3], d > 1, d == 5)
	}
	return out
}

// StatisticsFiles writes, with the service's own code (what `formsvc
// report --publication --format json` writes), the published figures of
// the given periods ("2026-H1", "2026") over a fixed set of test records,
// keyed by where they go: "data/so-lieu/2026-h1.json". For tests only:
// the records are made up.
func StatisticsFiles(codes ...string) (map[string][]byte, error) {
	spec, err := formsvc.ParseSpec(data.FormsYAML)
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, code := range codes {
		p, err := report.ParsePeriod(code)
		if err != nil {
			return nil, err
		}
		pub, err := report.BuildPublication(context.Background(), statisticsRecords(), spec,
			[]formsvc.Kind{formsvc.KindTip, formsvc.KindSupport}, p, "Ủy ban nhân dân phường Thử (số liệu thử)",
			time.Date(2027, 1, 6, 8, 0, 0, 0, formsvc.Vietnam))
		if err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		if err := report.WriteJSON(&buf, pub); err != nil {
			return nil, err
		}
		out["data/so-lieu/"+strings.ToLower(code)+".json"] = buf.Bytes()
	}
	return out, nil
}
