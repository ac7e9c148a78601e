package console

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/export"
	"github.com/hoaphong/phongchongmaidam/formsvc/report"
)

type exportData struct {
	Kinds    []option
	Statuses map[string][]option
	Periods  []option
	// Kept: a refused form's answers (the export's by kind, the report's
	// under ""), so the officer corrects rather than starts again.
	Kept map[string]url.Values
}

func (c *Console) exportForm(r *http.Request) exportData {
	o := officerFrom(r.Context())
	d := exportData{Statuses: map[string][]option{}}
	for _, k := range o.Role.Kinds() {
		def := c.spec.Kind(k)
		d.Kinds = append(d.Kinds, option{string(k), def.Label})
		for _, st := range def.Statuses {
			d.Statuses[string(k)] = append(d.Statuses[string(k)], option{string(st.Code), st.Officer})
		}
	}
	now := c.now().In(formsvc.Vietnam)
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
	def := c.spec.Kind(k)
	if def == nil || !o.Role.CanSee(k) {
		c.fail(w, r, formsvc.Errorf(formsvc.ENOTFOUND, "Không có loại hồ sơ này."))
		return
	}
	f, errs := exportFilter(q, def)
	format := q.Get("format")
	if !slices.Contains(export.Formats, format) {
		errs.add("export-"+string(k)+"-format", "Hãy chọn định dạng CSV, XLSX hoặc JSON.")
	}
	if errs != nil {
		d := c.exportForm(r)
		d.Kept = map[string]url.Values{string(k): q}
		c.refuse(w, r, http.StatusUnprocessableEntity, "export", "Xuất dữ liệu", d, errs)
		return
	}
	ct, ext := export.ContentType(format)
	name := fmt.Sprintf("%s-%s%s", def.Slug,
		c.now().In(formsvc.Vietnam).Format("2006-01-02"), ext)
	sw := &startWriter{w: w}
	enc, err := export.New(format, sw, c.spec, k)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	// Logged before the first row leaves: an export cut short has
	// still shown what it sent. No log, no export.
	what := fmt.Sprintf("%s, %s", format, exportScope(f))
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

// exportFilter reads an export's filter strictly: a status or a date the
// service does not understand is refused with a message, never dropped
// (which would export everything under a filter that looks applied).
func exportFilter(q url.Values, def *formsvc.KindDef) (formsvc.CaseFilter, formErrors) {
	f := formsvc.CaseFilter{Kinds: []formsvc.Kind{def.Kind}}
	id := "export-" + string(def.Kind) + "-"
	var errs formErrors
	if st := formsvc.Status(q.Get("status")); st != "" {
		if !def.Valid(st) {
			errs.add(id+"status", "Trạng thái “"+formsvc.Clip(string(st), 40)+"” không có ở loại hồ sơ này. Vui lòng chọn trong danh sách.")
		}
		f.Status = st
	}
	for _, d := range []struct {
		name, label string
		dst         *time.Time
		next        bool
	}{{"from", "Từ ngày", &f.From, false}, {"to", "Đến ngày", &f.To, true}} {
		v := q.Get(d.name)
		if v == "" {
			continue
		}
		t, err := time.ParseInLocation("2006-01-02", v, formsvc.Vietnam)
		if err != nil {
			errs.add(id+d.name, d.label+" “"+formsvc.Clip(v, 20)+"” không phải một ngày (năm-tháng-ngày, ví dụ 2026-06-30).")
			continue
		}
		if d.next {
			t = t.AddDate(0, 0, 1) // the whole last day
		}
		*d.dst = t
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		errs.add(id+"to", "“Đến ngày” phải từ “Từ ngày” trở về sau.")
	}
	return f, errs
}

// exportScope says which records an export really took, in the audit log:
// the filter as applied, not as asked.
func exportScope(f formsvc.CaseFilter) string {
	scope := "mọi trạng thái"
	if f.Status != "" {
		scope = "trạng thái " + string(f.Status)
	}
	if !f.From.IsZero() {
		scope += ", từ " + f.From.In(formsvc.Vietnam).Format("2006-01-02")
	}
	if !f.To.IsZero() {
		scope += ", đến hết " + f.To.In(formsvc.Vietnam).AddDate(0, 0, -1).Format("2006-01-02")
	}
	return scope
}

// sentence starts s with a capital and ends it with a full stop.
func sentence(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
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
	var errs formErrors
	p, err := report.ParsePeriod(period)
	if err != nil {
		switch {
		case q.Get("period") != "custom":
			errs.add("period-0", "Hãy chọn một kỳ báo cáo.")
		case q.Get("from") == "":
			errs.add("from", "Hãy chọn ngày đầu của khoảng thời gian.")
		case q.Get("to") == "":
			errs.add("to", "Hãy chọn ngày cuối của khoảng thời gian.")
		default:
			errs.add("from", sentence(err.Error()))
		}
	}
	publication := q.Get("publication") == "1"
	format := q.Get("format")
	if format == "" {
		format = "html"
	}
	if !slices.Contains([]string{"html", "docx", "xlsx"}, format) {
		errs.add("format", "Hãy chọn định dạng: trang in (HTML), Word (DOCX) hoặc Excel (XLSX).")
	}
	if errs != nil {
		d := c.exportForm(r)
		d.Kept = map[string]url.Values{"": q}
		c.refuse(w, r, http.StatusUnprocessableEntity, "report", "Báo cáo", d, errs)
		return
	}
	rep, err := report.Build(r.Context(), c.store, c.spec, o.Role.Kinds(), p, publication, c.cfg.Commune, c.now())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	h := map[string]string{}
	switch format {
	case "xlsx":
		err = report.WriteXLSX(&buf, rep)
		h["Content-Type"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		h["Content-Disposition"] = `attachment; filename="bao-cao-` + period + `.xlsx"`
	case "docx":
		err = report.WriteDOCX(&buf, rep)
		h["Content-Type"] = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
		h["Content-Disposition"] = `attachment; filename="bao-cao-` + period + `.docx"`
	default:
		// The print button's script is a file of the console's own.
		err = report.WriteHTMLNav(&buf, rep, &report.Nav{Back: "/officer/report", Script: "/officer/static/report-print.js"})
		h["Content-Type"] = "text/html; charset=utf-8"
		h["Content-Security-Policy"] = "default-src 'none'; style-src " + report.StyleHash + "; script-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	for k, v := range h {
		w.Header().Set(k, v)
	}
	detail := p.Label + ", " + format
	if publication {
		detail += ", bản công bố"
	}
	c.audit(r, formsvc.AuditReport, period, detail)
	w.Write(buf.Bytes())
}
