package console

import (
	"fmt"
	"html/template"
	"net/http"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/report"
)

type dashKind struct {
	Kind        formsvc.Kind
	Open        []statusCount
	OpenTotal   int
	Months      []monthCount
	Chart       template.HTML
	FirstAction string
	Received    int
}

type monthCount struct {
	Month string
	N     int
}

// handleDashboard: open cases by status, received per month over the last
// 12 months (an SVG chart drawn here), median time to first action.
func (c *Console) handleDashboard(w http.ResponseWriter, r *http.Request) {
	o := officerFrom(r.Context())
	now := c.now().In(formsvc.Vietnam)
	from := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, formsvc.Vietnam).AddDate(0, -11, 0)
	fs, ok := c.store.(formsvc.FactsService)
	if !ok {
		c.fail(w, r, fmt.Errorf("store cannot count"))
		return
	}
	stats, err := formsvc.CollectStats(r.Context(), fs, formsvc.CaseFilter{Kinds: o.Role.Kinds(), From: from})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	counts, err := c.store.StatusCounts(r.Context(), o.Role.Kinds())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	var kinds []dashKind
	for _, k := range o.Role.Kinds() {
		s := stats[k]
		dk := dashKind{Kind: k, FirstAction: formsvc.DurationWords(s.FirstAction, s.FirstActionN), Received: s.Received}
		def := c.spec.Kind(k)
		for _, st := range def.Statuses {
			if st.Open {
				dk.Open = append(dk.Open, statusCount{Status: st.Code, Label: st.Officer, N: counts[k][st.Code]})
				dk.OpenTotal += counts[k][st.Code]
			}
		}
		var labels []string
		var values []int
		for _, m := range formsvc.Months(from, now) {
			t, _ := time.Parse("2006-01", m)
			label := t.Format("01/06")
			dk.Months = append(dk.Months, monthCount{Month: t.Format("01/2006"), N: s.ByMonth[m]})
			labels = append(labels, label)
			values = append(values, s.ByMonth[m])
		}
		dk.Chart = report.BarChart(def.Label+" nhận được mỗi tháng, 12 tháng gần nhất", labels, values)
		kinds = append(kinds, dk)
	}
	c.render(w, r, http.StatusOK, "dashboard", "Tổng quan", kinds)
}
