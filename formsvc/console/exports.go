package console

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/export"
	"github.com/hoaphong/phongchongmaidam/formsvc/report"
)

type exportData struct {
	Kinds    []option
	Statuses map[string][]option
	Periods  []option
	Error    string
}

func (c *Console) exportForm(r *http.Request) exportData {
	o := officerFrom(r.Context())
	d := exportData{Statuses: map[string][]option{}}
	for _, k := range o.Role.Kinds() {
		d.Kinds = append(d.Kinds, option{string(k), k.Label()})
		for _, st := range formsvc.Statuses[k] {
			d.Statuses[string(k)] = append(d.Statuses[string(k)], option{st, formsvc.OfficerStatusLabel(k, st)})
		}
	}
	now := c.now().In(vietnam)
	y := now.Year()
	half := 1
	if now.Month() > 6 {
		half = 2
	}
	prevHalf := fmt.Sprintf("%d-H%d", y, half-1)
	if half == 1 {
		prevHalf = fmt.Sprintf("%d-H2", y-1)
	}
	for _, p := range []string{fmt.Sprintf("%d-H%d", y, half), prevHalf, fmt.Sprint(y), fmt.Sprint(y - 1)} {
		per, _ := report.ParsePeriod(p)
		d.Periods = append(d.Periods, option{p, per.Label})
	}
	return d
}

func (c *Console) handleExportForm(w http.ResponseWriter, r *http.Request) {
	c.render(w, r, http.StatusOK, "export", "Xuất dữ liệu", c.exportForm(r))
}

func (c *Console) handleReportForm(w http.ResponseWriter, r *http.Request) {
	c.render(w, r, http.StatusOK, "report", "Báo cáo", c.exportForm(r))
}

// handleExportDownload streams an export of the records the officer's role
// may see: one record in memory at a time, decrypted only here.
func (c *Console) handleExportDownload(w http.ResponseWriter, r *http.Request) {
	o := officerFrom(r.Context())
	q := r.URL.Query()
	k := formsvc.Kind(q.Get("kind"))
	if !o.Role.CanSee(k) {
		c.fail(w, r, formsvc.Errorf(formsvc.ENOTFOUND, "Không có loại hồ sơ này."))
		return
	}
	f := c.parseFilter(url.Values{"kind": {string(k)}, "status": {q.Get("status")}, "from": {q.Get("from")}, "to": {q.Get("to")}}, o.Role)
	format := q.Get("format")
	if !slices.Contains(export.Formats, format) {
		d := c.exportForm(r)
		d.Error = "Vui lòng chọn định dạng CSV, XLSX hoặc JSON."
		c.render(w, r, http.StatusUnprocessableEntity, "export", "Xuất dữ liệu", d)
		return
	}
	ct, ext := export.ContentType(format)
	name := fmt.Sprintf("%s-%s%s", map[formsvc.Kind]string{formsvc.KindTip: "tin-bao", formsvc.KindSupport: "yeu-cau-ho-tro"}[k],
		c.now().In(vietnam).Format("2006-01-02"), ext)
	sw := &startWriter{w: w}
	enc, err := export.New(format, sw, c.spec, k)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	// Logged before the first row leaves: an export cut short has
	// still shown what it sent. No log, no export.
	what := fmt.Sprintf("%s, %s", format, exportScope(q))
	if err := c.audit(r, formsvc.AuditExport, string(k), what+": bắt đầu"); err != nil {
		c.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	sum, err := export.Write(enc, c.spec, func(fn func(*formsvc.Submission) error, skip func(*formsvc.Submission, error)) error {
		return c.store.EachSubmission(r.Context(), f, fn, skip)
	}, nil)
	if len(sum.Unreadable) > 0 {
		// The file carries a note for the officer (CSV, XLSX); the log
		// gets the count only, the audit log the references.
		c.log.Warn("xuất dữ liệu bỏ qua hồ sơ không mở được", "count", len(sum.Unreadable))
	}
	if err != nil {
		c.log.Error("xuất dữ liệu dở dang", "err", err)
		c.audit(r, formsvc.AuditExport, string(k), fmt.Sprintf("%s: dở dang sau %d hồ sơ", what, sum.Records)+skipped(sum))
		if !sw.started {
			c.fail(w, r, err)
		}
		return
	}
	c.audit(r, formsvc.AuditExport, string(k), fmt.Sprintf("%s: xong, %d hồ sơ", what, sum.Records)+skipped(sum))
}

// skipped is the audit log's words for the records an export left out.
func skipped(sum export.Summary) string {
	if len(sum.Unreadable) == 0 {
		return ""
	}
	return fmt.Sprintf("; bỏ qua %d hồ sơ không mở được: %s", len(sum.Unreadable), export.ListRefs(sum.Unreadable))
}

// exportScope says which records an export asked for, in the audit log.
func exportScope(q url.Values) string {
	scope := "mọi trạng thái"
	if st := q.Get("status"); st != "" {
		scope = "trạng thái " + st
	}
	if from := q.Get("from"); from != "" {
		scope += ", từ " + from
	}
	if to := q.Get("to"); to != "" {
		scope += ", đến " + to
	}
	return scope
}

// startWriter notes whether anything was written yet.
type startWriter struct {
	w       http.ResponseWriter
	started bool
}

func (s *startWriter) Write(p []byte) (int, error) {
	s.started = true
	return s.w.Write(p)
}

// handleReportDownload builds a period report over the role's kinds.
func (c *Console) handleReportDownload(w http.ResponseWriter, r *http.Request) {
	o := officerFrom(r.Context())
	q := r.URL.Query()
	period := q.Get("period")
	if period == "custom" {
		period = q.Get("from") + ".." + q.Get("to")
	}
	p, err := report.ParsePeriod(period)
	if err != nil {
		d := c.exportForm(r)
		d.Error = err.Error()
		c.render(w, r, http.StatusUnprocessableEntity, "report", "Báo cáo", d)
		return
	}
	publication := q.Get("publication") == "1"
	rep, err := report.Build(r.Context(), c.store, c.spec, o.Role.Kinds(), p, publication, c.cfg.Commune, c.now())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	format := q.Get("format")
	if format == "xlsx" {
		err = report.WriteXLSX(&buf, rep)
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", `attachment; filename="bao-cao-`+period+`.xlsx"`)
	} else {
		err = report.WriteHTML(&buf, rep)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src "+report.StyleHash+"; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	detail := p.Label + ", " + map[bool]string{true: "xlsx", false: "html"}[format == "xlsx"]
	if publication {
		detail += ", bản công bố"
	}
	c.audit(r, formsvc.AuditReport, period, detail)
	w.Write(buf.Bytes())
}
