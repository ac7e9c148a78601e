package formsvc

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Facts are the counting fields of one record: what dashboards and
// reports count, with nothing of what the person wrote.
type Facts struct {
	Kind          Kind
	Status        Status
	Priority      Priority
	Category      string
	Services      []string
	CreatedAt     time.Time
	FirstActionAt time.Time
	ClosedAt      time.Time
	Referrals     []string // the destinations it was referred to
	Reached       []Status // every status the record has been in
}

// FactsService streams the facts of the records a filter selects.
type FactsService interface {
	// EachFacts calls fn with the counting facts of each case of f
	// (internal errors, or fn's).
	EachFacts(ctx context.Context, f CaseFilter, fn func(Facts) error) error
}

// Stats are the counts of one kind over a period.
type Stats struct {
	Kind         Kind
	Received     int
	ByStatus     map[Status]int
	ByCode       map[string]int // category (tips) or service (support)
	ByPriority   map[Priority]int
	ByMonth      map[string]int // "2026-01" in Vietnam's time
	Reached      map[Status]int // records that were ever in a status (outcomes)
	ByReferral   map[string]int // records referred to each destination
	FirstAction  time.Duration  // median time to first action; 0 if none
	FirstActionN int
	Closure      time.Duration // median time to closure
	ClosureN     int
	firstActions []time.Duration
	closures     []time.Duration
}

// NewStats makes empty stats for kind k.
func NewStats(k Kind) *Stats {
	return &Stats{Kind: k, ByStatus: map[Status]int{}, ByCode: map[string]int{}, ByPriority: map[Priority]int{}, ByMonth: map[string]int{}, Reached: map[Status]int{}, ByReferral: map[string]int{}}
}

// Add counts one record.
func (s *Stats) Add(f Facts) {
	s.Received++
	s.ByStatus[f.Status]++
	s.ByPriority[f.Priority]++
	if f.Category != "" {
		s.ByCode[f.Category]++
	}
	for _, c := range f.Services {
		s.ByCode[c]++
	}
	s.ByMonth[f.CreatedAt.In(Vietnam).Format("2006-01")]++
	seen := map[Status]bool{f.Status: true}
	for _, st := range f.Reached {
		seen[st] = true
	}
	for st := range seen {
		s.Reached[st]++
	}
	for _, d := range f.Referrals {
		s.ByReferral[d]++
	}
	if !f.FirstActionAt.IsZero() {
		s.firstActions = append(s.firstActions, f.FirstActionAt.Sub(f.CreatedAt))
	}
	if !f.ClosedAt.IsZero() {
		s.closures = append(s.closures, f.ClosedAt.Sub(f.CreatedAt))
	}
}

// Finish computes the medians.
func (s *Stats) Finish() {
	s.FirstAction, s.FirstActionN = median(s.firstActions), len(s.firstActions)
	s.Closure, s.ClosureN = median(s.closures), len(s.closures)
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	m := len(ds) / 2
	if len(ds)%2 == 1 {
		return ds[m]
	}
	return (ds[m-1] + ds[m]) / 2
}

// CollectStats counts the records of filter f, per kind the filter allows.
func CollectStats(ctx context.Context, fs FactsService, f CaseFilter) (map[Kind]*Stats, error) {
	out := map[Kind]*Stats{}
	for _, k := range f.Kinds {
		if f.Kind == "" || f.Kind == k {
			out[k] = NewStats(k)
		}
	}
	err := fs.EachFacts(ctx, f, func(x Facts) error {
		if s, ok := out[x.Kind]; ok {
			s.Add(x)
		}
		return nil
	})
	for _, s := range out {
		s.Finish()
	}
	return out, err
}

// Months lists the months "2006-01" from from to to, inclusive.
func Months(from, to time.Time) []string {
	var out []string
	m := time.Date(from.In(Vietnam).Year(), from.In(Vietnam).Month(), 1, 0, 0, 0, 0, Vietnam)
	end := to.In(Vietnam)
	for !m.After(end) {
		out = append(out, m.Format("2006-01"))
		m = m.AddDate(0, 1, 0)
	}
	return out
}

// DurationWords says a median duration in plain Vietnamese ("35 phút",
// "3.5 giờ", "2.5 ngày"), or that there is no data.
func DurationWords(d time.Duration, n int) string {
	if n == 0 {
		return "chưa có số liệu"
	}
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%d phút", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%.1f giờ", d.Hours())
	}
	return fmt.Sprintf("%.1f ngày", d.Hours()/24)
}
