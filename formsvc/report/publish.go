package report

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// PublicationFormat names the layout of the JSON below; the site reads
// only this one.
const PublicationFormat = "so-lieu/1"

// Publication is what a period's report may say in public, as JSON for the
// site's /so-lieu/ page (`formsvc report --publication --format json`):
// per kind, the records received, by category or service, what became of
// them and the median time to first action, every count under the rule of
// suppress.go. It holds nothing from another period (no previous period,
// no change, no total over periods): files of different periods share no
// record and no published number.
type Publication struct {
	Format     string          `json:"format"`
	Period     PublishedPeriod `json:"period"`
	Unit       string          `json:"unit"`
	Generated  string          `json:"generated"`
	SmallCount int             `json:"small_count"`
	Kinds      []PublishedKind `json:"kinds"`
}

// PublishedPeriod is a half-year or a year, its days both included.
type PublishedPeriod struct {
	Code  string `json:"code"` // "2026-H1", "2026-H2" or "2026"
	Label string `json:"label"`
	From  string `json:"from"` // first day, YYYY-MM-DD
	To    string `json:"to"`   // last day, YYYY-MM-DD
}

// PublishedKind is one kind's counts for the period.
type PublishedKind struct {
	Kind     string `json:"kind"`
	Label    string `json:"label"`
	Received string `json:"received"`
	// MedianFirstAction is in words ("4.0 giờ"), or NoMedian or
	// MedianWithheld.
	MedianFirstAction string           `json:"median_first_action"`
	Tables            []PublishedTable `json:"tables"`
}

// PublishedTable is one table of counts. Partition: its rows split the
// records received (each record in exactly one row); otherwise rows may
// overlap (a support request may ask for several services). Withheld: only
// the total is published and Rows is empty.
type PublishedTable struct {
	ID        string         `json:"id"`
	Title     string         `json:"title"`
	Partition bool           `json:"partition"`
	Withheld  bool           `json:"withheld"`
	Rows      []PublishedRow `json:"rows"`
}

// PublishedRow is one row: a code, its label and the count as published
// ("12", "0", "<3" or "ẩn").
type PublishedRow struct {
	Code  string `json:"code"`
	Label string `json:"label"`
	Count string `json:"count"`
}

// Words of the median's field when there is no number to give.
const (
	NoMedian       = "chưa có"
	MedianWithheld = "không công bố"
)

// Outcome rows: what became of the records received (a partition).
const (
	OutcomeNone     = "none"     // no officer action yet
	OutcomeHandled  = "handled"  // acted on at the commune, never referred
	OutcomeReferred = "referred" // referred to another agency or service
)

// BuildPublication counts the records of period p (a half-year or a year)
// for the given kinds, for publication.
func BuildPublication(ctx context.Context, fs formsvc.FactsService, spec *formsvc.Spec, kinds []formsvc.Kind, p Period, unit string, now time.Time) (*Publication, error) {
	if !publishable.MatchString(p.Code) {
		return nil, fmt.Errorf("kỳ %q: số liệu công bố chỉ lập cho 6 tháng (2026-H1, 2026-H2) hoặc cả năm (2026)", p.Code)
	}
	stats := map[formsvc.Kind]*formsvc.Stats{}
	outcomes := map[formsvc.Kind]map[string]int{}
	for _, k := range kinds {
		stats[k] = formsvc.NewStats(k)
		outcomes[k] = map[string]int{}
	}
	err := fs.EachFacts(ctx, formsvc.CaseFilter{Kinds: kinds, From: p.From, To: p.To}, func(f formsvc.Facts) error {
		s, ok := stats[f.Kind]
		if !ok {
			return nil
		}
		s.Add(f)
		outcomes[f.Kind][outcome(spec.Kind(f.Kind), f)]++
		return nil
	})
	if err != nil {
		return nil, err
	}
	pub := &Publication{
		Format: PublicationFormat,
		Period: PublishedPeriod{Code: p.Code, Label: p.Label, From: p.From.Format("2006-01-02"),
			To: p.To.AddDate(0, 0, -1).Format("2006-01-02")},
		Unit: unit, Generated: now.In(formsvc.Vietnam).Format(time.RFC3339), SmallCount: SmallCount,
	}
	for _, k := range kinds {
		s := stats[k]
		s.Finish()
		pub.Kinds = append(pub.Kinds, publishKind(spec, s, outcomes[k]))
	}
	return pub, nil
}

var publishable = regexp.MustCompile(`^\d{4}(-H[12])?$`)

func outcome(d *formsvc.KindDef, f formsvc.Facts) string {
	for _, st := range append([]formsvc.Status{f.Status}, f.Reached...) {
		if sd := d.Status(st); sd != nil && sd.Referral {
			return OutcomeReferred
		}
	}
	if !f.FirstActionAt.IsZero() {
		return OutcomeHandled
	}
	return OutcomeNone
}

func publishKind(spec *formsvc.Spec, s *formsvc.Stats, outcomes map[string]int) PublishedKind {
	d := spec.Kind(s.Kind)
	pk := PublishedKind{Kind: string(d.Kind), Label: d.Label, Received: SuppressCount(s.Received)}

	var codes, labels []string
	var counts []int
	// A tip has one category (the rows split the records); a support
	// request may ask for several services (the rows overlap).
	byCode := PublishedTable{ID: d.CodeField, Title: d.CodeTitle, Partition: !d.Code.Multi()}
	for _, o := range d.Code.Options {
		codes, labels, counts = append(codes, o.Value), append(labels, o.Label), append(counts, s.ByCode[o.Value])
	}
	fill(&byCode, codes, labels, counts, s.Received)

	out := PublishedTable{ID: "outcome", Title: "Kết quả xử lý (đến ngày lập số liệu)", Partition: true}
	fill(&out, []string{OutcomeNone, OutcomeHandled, OutcomeReferred},
		[]string{"Chưa có cán bộ xử lý", "Đã xử lý tại địa phương, không chuyển đi", "Đã chuyển tới cơ quan hoặc dịch vụ khác"},
		[]int{outcomes[OutcomeNone], outcomes[OutcomeHandled], outcomes[OutcomeReferred]}, s.Received)
	pk.Tables = []PublishedTable{byCode, out}
	pk.MedianFirstAction = median(out, s)
	return pk
}

// fill sets a table's rows under the publication rule.
func fill(t *PublishedTable, codes, labels []string, counts []int, total int) {
	var cells []string
	if t.Partition {
		cells, t.Withheld = SuppressPartition(counts, total)
	} else {
		cells, t.Withheld = SuppressOverlapping(counts, total)
	}
	t.Rows = []PublishedRow{}
	if t.Withheld {
		return
	}
	for i := range codes {
		t.Rows = append(t.Rows, PublishedRow{Code: codes[i], Label: labels[i], Count: cells[i]})
	}
}

// median is the median time to first action, published only when the
// records acted on are published exactly (the outcome table's rows that
// had an action) and are at least SmallCount: it then reveals nothing the
// table does not.
func median(out PublishedTable, s *formsvc.Stats) string {
	acted, ok := actedExact(out)
	switch {
	case !ok:
		return MedianWithheld
	case acted == 0 && s.FirstActionN == 0:
		return NoMedian
	case s.FirstActionN < SmallCount:
		return MedianWithheld
	}
	return formsvc.DurationWords(s.FirstAction, s.FirstActionN)
}

// actedExact is the number of records acted on, when the outcome table
// publishes it exactly.
func actedExact(out PublishedTable) (int, bool) {
	if out.Withheld {
		return 0, false
	}
	acted := 0
	for _, r := range out.Rows {
		if r.Code == OutcomeNone {
			continue
		}
		n, err := strconv.Atoi(r.Count)
		if err != nil {
			return 0, false
		}
		acted += n
	}
	return acted, true
}

// WriteJSON writes a publication as indented JSON.
func WriteJSON(w io.Writer, p *Publication) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(p)
}

// ReadPublication reads what WriteJSON wrote, refusing any other field.
func ReadPublication(b []byte) (*Publication, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var p Publication
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("số liệu công bố: %w", err)
	}
	return &p, nil
}

// Audit checks publications as a reader holding all of them would use
// them: each is a half-year or a year in the layout above; no two cover
// the same day (else one's count minus the other's could give away a
// hidden count); no count from 1 to SmallCount-1 is shown; and in each
// table, given its total and the rows shown, every "<3" and "ẩn" can still
// be more than one number. It returns every problem found.
func Audit(pubs map[string]*Publication) error {
	var errs []error
	names := make([]string, 0, len(pubs))
	for name := range pubs {
		names = append(names, name)
	}
	slices.Sort(names)
	for i, a := range names {
		pa := pubs[a]
		if err := auditOne(pa); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", a, err))
		}
		for _, b := range names[i+1:] {
			pb := pubs[b]
			if pa.Period.From <= pb.Period.To && pb.Period.From <= pa.Period.To {
				errs = append(errs, fmt.Errorf("%s (%s) and %s (%s) cover the same days: a count of one minus the other's could give away a hidden count", a, pa.Period.Code, b, pb.Period.Code))
			}
		}
	}
	return errors.Join(errs...)
}

func auditOne(p *Publication) error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if p.Format != PublicationFormat {
		bad("format %q, want %q", p.Format, PublicationFormat)
	}
	if p.SmallCount != SmallCount {
		bad("small_count %d, want %d", p.SmallCount, SmallCount)
	}
	per, err := ParsePeriod(p.Period.Code)
	switch {
	case err != nil || !publishable.MatchString(p.Period.Code):
		bad("period %q is not a half-year or a year", p.Period.Code)
	case per.From.Format("2006-01-02") != p.Period.From || per.To.AddDate(0, 0, -1).Format("2006-01-02") != p.Period.To:
		bad("period %s runs %s..%s, want %s..%s", p.Period.Code, p.Period.From, p.Period.To,
			per.From.Format("2006-01-02"), per.To.AddDate(0, 0, -1).Format("2006-01-02"))
	}
	for _, k := range p.Kinds {
		total, err := parseCell(k.Received, 0)
		if err != nil || k.Received == Hidden {
			bad("%s: received %q", k.Kind, k.Received)
			continue
		}
		for _, t := range k.Tables {
			if err := auditTable(t, total); err != nil {
				bad("%s, %s: %w", k.Kind, t.ID, err)
			}
			if acted, ok := actedExact(t); t.ID == "outcome" && k.MedianFirstAction != MedianWithheld && k.MedianFirstAction != NoMedian && (!ok || acted < SmallCount) {
				bad("%s: a median (%q) beside an outcome table that does not publish at least %d records acted on", k.Kind, k.MedianFirstAction, SmallCount)
			}
		}
	}
	return errors.Join(errs...)
}

// cell is what a reader knows of a published count: lo <= n <= hi.
type cell struct {
	lo, hi int
	hidden bool // "<3" or "ẩn"
}

// parseCell reads a published count; total bounds an "ẩn".
func parseCell(s string, total int) (cell, error) {
	switch s {
	case Small:
		return cell{1, SmallCount - 1, true}, nil
	case Hidden:
		return cell{SmallCount, total, true}, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || strconv.Itoa(n) != s {
		return cell{}, fmt.Errorf("count %q is not a number, %q or %q", s, Small, Hidden)
	}
	if n > 0 && n < SmallCount {
		return cell{}, fmt.Errorf("count %d is shown, but counts from 1 to %d must read %q", n, SmallCount-1, Small)
	}
	return cell{n, n, false}, nil
}

func auditTable(t PublishedTable, total cell) error {
	if t.Withheld {
		if len(t.Rows) > 0 {
			return errors.New("withheld, yet it has rows")
		}
		return nil
	}
	if total.hidden {
		return fmt.Errorf("rows published beside a total of %q", Small)
	}
	T := total.lo
	cells := make([]cell, len(t.Rows))
	for i, r := range t.Rows {
		c, err := parseCell(r.Count, T)
		if err != nil {
			return fmt.Errorf("%s: %w", r.Code, err)
		}
		if c.hi > T {
			return fmt.Errorf("%s: %s is more than the total %d", r.Code, r.Count, T)
		}
		cells[i] = c
	}
	if !t.Partition {
		// Rows overlap but cover the total: a row is at least the total
		// minus what all the others could hold.
		most := 0
		for _, c := range cells {
			most += c.hi
		}
		for i, c := range cells {
			if !c.hidden {
				continue
			}
			if lo := max(c.lo, T-(most-c.hi)); c.hi-lo < 1 {
				return fmt.Errorf("%s: the total %d minus what the other rows could hold leaves it one value", t.Rows[i].Code, T)
			}
		}
		return nil
	}
	sumLo, sumHi := 0, 0
	for _, c := range cells {
		sumLo, sumHi = sumLo+c.lo, sumHi+c.hi
	}
	if T < sumLo || T > sumHi {
		return fmt.Errorf("rows cannot add up to the total %d", T)
	}
	for i, c := range cells {
		if !c.hidden {
			continue
		}
		lo, hi := max(c.lo, T-(sumHi-c.hi)), min(c.hi, T-(sumLo-c.lo))
		if hi-lo < 1 {
			return fmt.Errorf("%s (%s) can be worked out from the total %d and the other rows: it is %d", t.Rows[i].Code, t.Rows[i].Count, T, lo)
		}
	}
	return nil
}
