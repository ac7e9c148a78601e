package report

import (
	"context"
	"fmt"
	"html/template"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// Report is a period report over the kinds a role may see.
type Report struct {
	Commune     string // the issuing body, as the site names it
	Letterhead  Letterhead
	Subject     string // the subject line under "BÁO CÁO"
	Period      Period
	Previous    Period
	Generated   time.Time
	Publication bool
	Kinds       []*KindReport
}

// KindReport is one kind's part of a report.
type KindReport struct {
	Kind        formsvc.Kind
	Label       string
	Received    string
	PrevCount   string
	Change      string // against the previous period, in words
	Tables      []Table
	Chart       template.HTML
	ChartTitle  string
	ChartLabels []string // the chart's bars, for the .docx's picture
	ChartValues []int
	FirstAction string
	Closure     string
}

// Table is one table of a report; the XLSX report gives each its sheet.
type Table struct {
	Title  string
	Sheet  string // at most 31 characters
	Header []string
	Rows   [][]string
}

// Blank is a dotted line left to fill in by hand (or in the .docx).
const Blank = "…………………"

// Letterhead is what a report carries besides its figures, in the format
// of an administrative document (Nghị định 30/2020/NĐ-CP, Phụ lục I): the
// issuing body, the number and symbol, the place, the recipients and the
// signer. What data/commune.yaml leaves empty is left to fill (Blank).
type Letterhead struct {
	Issuer          []string // the issuing body's name in capitals, one line each
	Symbol          string   // of the number line "Số:      /BC-UBND"
	Place           string   // of the date line; Blank when unknown
	Recipients      []string // "Nơi nhận", each ending in ";" and the last "Lưu: VT."
	SignerAuthority string
	SignerTitle     string
	SignerName      string // Blank when not given
}

// NewLetterhead makes a report's letterhead from data/commune.yaml; c may
// be nil, which leaves everything but the form to fill.
func NewLetterhead(c *formsvc.Commune) Letterhead {
	if c == nil {
		c = &formsvc.Commune{}
	}
	l := Letterhead{Place: orBlank(c.Report.Place), SignerAuthority: c.Report.SignerAuthority,
		SignerTitle: c.Report.SignerTitle, SignerName: orBlank(c.Report.SignerName)}
	name := strings.TrimSpace(c.Name)
	l.Issuer, l.Symbol = []string{strings.ToUpper(name)}, "BC-"+Blank
	if name == "" {
		l.Issuer, l.Symbol = []string{"ỦY BAN NHÂN DÂN", "XÃ, PHƯỜNG " + Blank}, "BC-UBND"
	}
	// A people's committee: "ỦY BAN NHÂN DÂN" above the unit, as its
	// documents are headed, and the symbol BC-UBND.
	for _, ubnd := range []string{"ủy ban nhân dân ", "uỷ ban nhân dân "} {
		if len(name) > len(ubnd) && strings.EqualFold(name[:len(ubnd)], ubnd) {
			l.Issuer, l.Symbol = []string{"ỦY BAN NHÂN DÂN", strings.ToUpper(strings.TrimSpace(name[len(ubnd):]))}, "BC-UBND"
		}
	}
	if l.SignerAuthority == "" && l.SignerTitle == "" {
		l.SignerTitle = "QUYỀN HẠN, CHỨC VỤ CỦA NGƯỜI KÝ"
	}
	recipients := c.Report.Recipients
	if len(recipients) == 0 {
		recipients = []string{Blank + " (để báo cáo)", Blank}
	}
	for _, r := range recipients {
		l.Recipients = append(l.Recipients, strings.TrimRight(r, ";.,")+";")
	}
	l.Recipients = append(l.Recipients, "Lưu: VT.")
	return l
}

func orBlank(s string) string {
	if strings.TrimSpace(s) == "" {
		return Blank
	}
	return s
}

// subject is the subject line of a report on kinds over p.
func subject(spec *formsvc.Spec, kinds []formsvc.Kind, p Period) string {
	var names []string
	for _, k := range kinds {
		names = append(names, lowerFirst(spec.Kind(k).Label))
	}
	what := strings.Join(names, " và ")
	// "6 tháng đầu năm 2026", "năm 2026", "từ 01/03/2026 đến 31/03/2026".
	return "Kết quả tiếp nhận, xử lý " + what + " về phòng, chống mại dâm và mua bán người " + lowerFirst(p.Label)
}

// lowerFirst puts the first letter of s in lower case.
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

// Build counts the records of period p (and the previous period, for the
// comparison) for the given kinds. commune (nil: none) heads and signs the
// report.
func Build(ctx context.Context, fs formsvc.FactsService, spec *formsvc.Spec, kinds []formsvc.Kind, p Period, publication bool, commune *formsvc.Commune, now time.Time) (*Report, error) {
	prev := p.Previous()
	cur, err := formsvc.CollectStats(ctx, fs, formsvc.CaseFilter{Kinds: kinds, From: p.From, To: p.To})
	if err != nil {
		return nil, err
	}
	old, err := formsvc.CollectStats(ctx, fs, formsvc.CaseFilter{Kinds: kinds, From: prev.From, To: prev.To})
	if err != nil {
		return nil, err
	}
	r := &Report{Letterhead: NewLetterhead(commune), Subject: subject(spec, kinds, p), Period: p, Previous: prev, Generated: now, Publication: publication}
	if commune != nil {
		r.Commune = commune.Name
	}
	for _, k := range kinds {
		r.Kinds = append(r.Kinds, r.kindReport(spec, cur[k], old[k]))
	}
	return r, nil
}

// count formats a count, suppressing small ones for publication.
func (r *Report) count(n int) string {
	if r.Publication {
		return SuppressCount(n)
	}
	return fmt.Sprint(n)
}

// partition formats the counts of a table whose rows split total (each
// record in exactly one row): for publication, by SuppressPartition, with
// every row of a withheld table hidden.
func (r *Report) partition(counts []int, total int) []string {
	if !r.Publication {
		out := make([]string, len(counts))
		for i, n := range counts {
			out[i] = fmt.Sprint(n)
		}
		return out
	}
	cells, withheld := SuppressPartition(counts, total)
	if withheld {
		return hideAll(len(counts))
	}
	return cells
}

// overlapping formats the counts of a table whose rows may overlap but
// cover total (a support request's services): for publication, by
// SuppressOverlapping, with every row of a withheld table hidden.
func (r *Report) overlapping(counts []int, total int) []string {
	if !r.Publication {
		return r.partition(counts, total)
	}
	cells, withheld := SuppressOverlapping(counts, total)
	if withheld {
		return hideAll(len(counts))
	}
	return cells
}

func hideAll(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = Hidden
	}
	return out
}

func (r *Report) duration(d time.Duration, n int) string {
	if r.Publication && n > 0 && n < SmallCount {
		return fmt.Sprintf("(ít hơn %d hồ sơ, không công bố)", SmallCount)
	}
	return formsvc.DurationWords(d, n)
}

func (r *Report) kindReport(spec *formsvc.Spec, s, prev *formsvc.Stats) *KindReport {
	d := spec.Kind(s.Kind)
	label := d.Label
	kr := &KindReport{Kind: d.Kind, Label: label, Received: r.count(s.Received), PrevCount: r.count(prev.Received),
		FirstAction: r.duration(s.FirstAction, s.FirstActionN), Closure: r.duration(s.Closure, s.ClosureN)}
	kr.Change = r.change(s.Received, prev.Received)
	short := d.Prefix
	// rows makes a table's rows from labels and counts: cells formats the
	// counts (r.count for independent counts, r.partition for a partition
	// of the records received, r.overlapping for services).
	rows := func(labels []string, counts []int, cells func([]int, int) []string) [][]string {
		c := cells(counts, s.Received)
		out := make([][]string, len(labels))
		for i := range labels {
			out[i] = []string{labels[i], c[i]}
		}
		return out
	}
	var codeLabels []string
	var codeCounts []int
	for _, o := range d.Code.Options {
		codeLabels = append(codeLabels, o.Label)
		codeCounts = append(codeCounts, s.ByCode[o.Value])
	}
	// A tip has one category; a support request may ask for several services.
	byCodeCells := r.partition
	if d.Code.Multi() {
		byCodeCells = r.overlapping
	}
	byCode := Table{Title: d.CodeTitle, Sheet: short + " theo loại", Header: []string{"Mục", "Số hồ sơ"},
		Rows: rows(codeLabels, codeCounts, byCodeCells)}
	var statusLabels []string
	var statusCounts []int
	var outcomes [][]string
	for _, st := range d.Statuses {
		statusLabels = append(statusLabels, st.Officer)
		statusCounts = append(statusCounts, s.ByStatus[st.Code])
		if st.Outcome != "" {
			outcomes = append(outcomes, []string{st.Outcome, r.count(s.Reached[st.Code])})
		}
	}
	byStatus := Table{Title: "Theo trạng thái hiện tại", Sheet: short + " theo trạng thái", Header: []string{"Trạng thái", "Số hồ sơ"},
		Rows: rows(statusLabels, statusCounts, r.partition)}
	byPriority := Table{Title: "Theo mức ưu tiên", Sheet: short + " theo ưu tiên", Header: []string{"Mức ưu tiên", "Số hồ sơ"},
		Rows: rows([]string{"Cao (có trẻ em hoặc dấu hiệu ép buộc)", "Thường"},
			[]int{s.ByPriority[formsvc.PriorityHigh], s.ByPriority[formsvc.PriorityNormal]}, r.partition)}
	var labels, monthLabels []string
	var values []int
	months := formsvc.Months(r.Period.From, r.Period.To.Add(-time.Nanosecond))
	for _, m := range months {
		t, _ := time.Parse("2006-01", m)
		monthLabels = append(monthLabels, t.Format("01/2006"))
		labels = append(labels, t.Format("01/06"))
		values = append(values, s.ByMonth[m])
	}
	byMonth := Table{Title: "Theo tháng nhận", Sheet: short + " theo tháng", Header: []string{"Tháng", "Số hồ sơ"},
		Rows: rows(monthLabels, values, r.partition)}
	summary := Table{Title: "Tóm tắt", Sheet: short + " tóm tắt", Header: []string{"Chỉ số", "Giá trị"}, Rows: [][]string{
		{"Số hồ sơ nhận trong kỳ", kr.Received},
		{"Kỳ trước (" + r.Previous.Label + ")", kr.PrevCount},
		{"So với kỳ trước", kr.Change},
		{"Thời gian trung vị tới thao tác đầu tiên", kr.FirstAction},
		{"Thời gian trung vị tới khi đóng", kr.Closure},
	}}
	kr.Tables = []Table{summary, byCode, byStatus, byPriority, byMonth}
	if dests := spec.Referrals.For(d.Kind); len(dests) > 0 {
		var names []string
		var counts []int
		for _, dst := range dests {
			names, counts = append(names, dst.Name), append(counts, s.ByReferral[dst.Code])
		}
		kr.Tables = append(kr.Tables, Table{Title: "Theo nơi chuyển tới (một hồ sơ có thể được chuyển tới nhiều nơi)", Sheet: short + " nơi chuyển",
			Header: []string{"Nơi chuyển tới", "Số hồ sơ"}, Rows: rows(names, counts, r.overlapping)})
	}
	if len(outcomes) > 0 {
		kr.Tables = append(kr.Tables, Table{Title: "Kết quả (hồ sơ đã từng ở trạng thái này)", Sheet: short + " kết quả",
			Header: []string{"Kết quả", "Số hồ sơ"}, Rows: outcomes})
	}
	if r.Publication {
		// Suppressed months would still show in a chart's bar heights.
		for i := range values {
			if byMonth.Rows[i][1] != fmt.Sprint(values[i]) {
				values[i] = 0
				labels[i] += "*"
			}
		}
	}
	kr.ChartTitle = label + " nhận được theo tháng, " + r.Period.Label
	kr.Chart = BarChart(kr.ChartTitle, labels, values)
	kr.ChartLabels, kr.ChartValues = labels, values
	return kr
}

// change says how a count moved against the previous period.
func (r *Report) change(now, before int) string {
	if r.Publication && (now > 0 && now < SmallCount || before > 0 && before < SmallCount) {
		return "(số nhỏ, không công bố)"
	}
	switch {
	case before == 0 && now == 0:
		return "không đổi (0)"
	case before == 0:
		return fmt.Sprintf("tăng %d (kỳ trước không có)", now)
	case now == before:
		return "không đổi"
	case now > before:
		return fmt.Sprintf("tăng %d (+%.0f%%)", now-before, 100*float64(now-before)/float64(before))
	}
	return fmt.Sprintf("giảm %d (−%.0f%%)", before-now, 100*float64(before-now)/float64(before))
}

// Sheets lists every table across the report, in order.
func (r *Report) Sheets() []Table {
	var out []Table
	for _, k := range r.Kinds {
		out = append(out, k.Tables...)
	}
	return out
}
