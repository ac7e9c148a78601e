package console

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

const perPage = 50

// option is a choice of a filter.
type option struct{ Value, Label string }

type inboxData struct {
	Filter   url.Values
	Cases    []caseRow
	Total    int
	Page     int
	Pages    int
	PrevURL  string
	NextURL  string
	Counts   []kindCounts
	Kinds    []option
	Statuses []option
	Codes    []option
	Search   *searchResult // a search by words, or one that found nothing
	Example  string        // a reference of the officer's own kind, for the search box
}

type caseRow struct {
	formsvc.CaseSummary
	What string // category or services, in words
}

type kindCounts struct {
	Kind   formsvc.Kind
	Counts []statusCount
}

type statusCount struct {
	Status formsvc.Status
	Label  string
	N      int
	URL    string
}

// parseFilter reads the inbox's filters from the query; the role's kinds
// always apply. Unknown values are ignored rather than refused.
func (c *Console) parseFilter(q url.Values, role formsvc.Role) formsvc.CaseFilter {
	f := formsvc.CaseFilter{Kinds: role.Kinds()}
	if k := formsvc.Kind(q.Get("kind")); role.CanSee(k) {
		f.Kind = k
	}
	for _, k := range f.Kinds {
		d := c.spec.Kind(k)
		if st := formsvc.Status(q.Get("status")); d.Valid(st) {
			f.Status = st
		}
		if code := q.Get("code"); d.Code.HasOption(code) {
			f.Code = code
		}
	}
	if p := formsvc.Priority(q.Get("priority")); p.Valid() {
		f.Priority = p
	}
	if t, err := time.ParseInLocation("2006-01-02", q.Get("from"), formsvc.Vietnam); err == nil {
		f.From = t
	}
	if t, err := time.ParseInLocation("2006-01-02", q.Get("to"), formsvc.Vietnam); err == nil {
		f.To = t.AddDate(0, 0, 1) // the whole last day
	}
	return f
}

// what describes a record's category or services in words.
func (c *Console) what(k formsvc.Kind, category string, services []string) string {
	fd := c.spec.Kind(k).Code
	if !fd.Multi() {
		return fd.OptionLabel(category)
	}
	s := ""
	for i, code := range services {
		if i > 0 {
			s += "; "
		}
		s += fd.OptionLabel(code)
	}
	return s
}

func (c *Console) handleInbox(w http.ResponseWriter, r *http.Request) {
	o := officerFrom(r.Context())
	q := r.URL.Query()
	var search *searchResult
	if words := strings.TrimSpace(q.Get("q")); words != "" {
		var done bool
		if search, done = c.search(w, r, words); done {
			return
		}
		q.Del("q")
	}
	f := c.parseFilter(q, o.Role)
	errs := filterErrors(q)
	page, _ := strconv.Atoi(q.Get("page"))
	if page < 1 {
		page = 1
	}
	f.Offset, f.Limit = (page-1)*perPage, perPage
	cases, total, err := c.store.Cases(r.Context(), f, c.now().Add(-c.cfg.OverdueAfter))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	counts, err := c.store.StatusCounts(r.Context(), o.Role.Kinds())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	d := inboxData{Filter: q, Total: total, Page: page, Pages: (total + perPage - 1) / perPage, Search: search,
		Example: c.spec.Kind(o.Role.Kinds()[0]).Ref(c.now().In(formsvc.Vietnam).Year(), 42)}
	for _, cs := range cases {
		d.Cases = append(d.Cases, caseRow{CaseSummary: cs, What: c.what(cs.Kind, cs.Category, cs.Services)})
	}
	for _, k := range o.Role.Kinds() {
		def := c.spec.Kind(k)
		kc := kindCounts{Kind: k}
		for _, st := range def.Statuses {
			u := url.Values{"kind": {string(k)}, "status": {string(st.Code)}}
			kc.Counts = append(kc.Counts, statusCount{Status: st.Code, Label: st.Officer, N: counts[k][st.Code], URL: "/officer/?" + u.Encode()})
			d.Statuses = appendOnce(d.Statuses, option{string(st.Code), st.Officer})
		}
		d.Counts = append(d.Counts, kc)
		d.Kinds = append(d.Kinds, option{string(k), def.Label})
		for _, opt := range def.Code.Options {
			d.Codes = appendOnce(d.Codes, option{opt.Value, opt.Label})
		}
	}
	if search != nil && search.Error == "" {
		// The matches replace the page: one list, no pages.
		d.Cases, d.Total, d.Page, d.Pages = search.Cases, len(search.Cases), 1, 1
		c.render(w, r, http.StatusOK, "inbox", "Hộp hồ sơ", d)
		return
	}
	pageURL := func(p int) string {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set("page", strconv.Itoa(p))
		return "/officer/?" + v.Encode()
	}
	if page > 1 {
		d.PrevURL = pageURL(page - 1)
	}
	if page < d.Pages {
		d.NextURL = pageURL(page + 1)
	}
	status := http.StatusOK
	if errs != nil {
		status = http.StatusUnprocessableEntity
	}
	c.refuse(w, r, status, "inbox", "Hộp hồ sơ", d, errs)
}

// filterErrors are the problems of the inbox filter's dates: a date that
// is not one is left out of the filter (parseFilter), and said so.
func filterErrors(q url.Values) formErrors {
	var errs formErrors
	var from, to time.Time
	for _, d := range []struct {
		name, label string
		t           *time.Time
	}{{"from", "Từ ngày", &from}, {"to", "Đến ngày", &to}} {
		v := q.Get(d.name)
		if v == "" {
			continue
		}
		t, err := time.ParseInLocation("2006-01-02", v, formsvc.Vietnam)
		if err != nil {
			errs.add("filter-"+d.name, d.label+" “"+formsvc.Clip(v, 20)+"” không phải một ngày (năm-tháng-ngày, ví dụ 2026-06-30): chưa lọc theo ngày này.")
			continue
		}
		*d.t = t
	}
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		errs.add("filter-to", "“Đến ngày” phải từ “Từ ngày” trở về sau.")
	}
	return errs
}

func appendOnce(opts []option, o option) []option {
	for _, x := range opts {
		if x.Value == o.Value {
			return opts
		}
	}
	return append(opts, o)
}
