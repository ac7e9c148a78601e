package formsvc

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Kind is the kind of a submission. What each kind is (its form, reference
// prefix, labels and workflow) is a KindDef read from data/forms.yaml; the
// constants name the two kinds that roles and routes are written for.
type Kind string

const (
	KindTip     Kind = "tip"     // anonymous tip-off, worked by the police
	KindSupport Kind = "support" // support request, worked by social affairs
)

// Status is a step of a kind's workflow (KindDef.Statuses).
type Status string

// StatusReceived is the first status of every kind, StatusClosed the last;
// only closed records are ever purged.
const (
	StatusReceived Status = "received"
	StatusClosed   Status = "closed"
)

// Priority of a submission: the reporter's answers set it high, and an
// officer may change it with a reason.
type Priority string

const (
	PriorityHigh   Priority = "high"
	PriorityNormal Priority = "normal"
)

// Priorities lists the priorities, highest first.
var Priorities = []Priority{PriorityHigh, PriorityNormal}

// Valid reports whether p is a priority.
func (p Priority) Valid() bool { return slices.Contains(Priorities, p) }

// Label names the priority in Vietnamese.
func (p Priority) Label() string {
	if p == PriorityHigh {
		return "Cao"
	}
	return "Thường"
}

// StatusDef is one status of a kind's workflow.
type StatusDef struct {
	Code    Status `yaml:"code"`
	Public  string `yaml:"public"`  // what the reporter reads at follow-up
	Officer string `yaml:"officer"` // what officers read
	// Open: the record still needs work (the inbox's order, overdue
	// alerts, the digest's open counts).
	Open bool `yaml:"open"`
	// Referral: the record was handed to another agency or service.
	Referral bool `yaml:"referral"`
	// Outcome: the row a report's outcome table counts records that were
	// ever in this status under ("" for none).
	Outcome string `yaml:"outcome"`
}

// KindDef is everything kind-specific, built once from data/forms.yaml.
type KindDef struct {
	Kind      Kind         `yaml:"kind"`
	FormKey   string       `yaml:"form"`       // the key of its form in forms.yaml
	Label     string       `yaml:"label"`      // "Tin báo"
	Prefix    string       `yaml:"prefix"`     // of references: TB-2026-0042
	Slug      string       `yaml:"slug"`       // of file names: tin-bao-….csv
	CodeField string       `yaml:"code_field"` // the option field reports count
	CodeTitle string       `yaml:"code_title"` // the heading of that count
	Statuses  []*StatusDef `yaml:"statuses"`   // in workflow order

	// Set by ParseSpec.
	Form *Form  `yaml:"-"`
	Code *Field `yaml:"-"`
}

var (
	kindRe   = regexp.MustCompile(`^[a-z][a-z_]{0,31}$`)
	prefixRe = regexp.MustCompile(`^[A-Z]{2,4}$`)
	slugRe   = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
)

// check resolves the kind's form and code field and checks its workflow.
func (d *KindDef) check(forms map[string]*Form) error {
	if !kindRe.MatchString(string(d.Kind)) || !prefixRe.MatchString(d.Prefix) || !slugRe.MatchString(d.Slug) || d.Label == "" || d.CodeTitle == "" {
		return fmt.Errorf("kind %q: needs kind (a–z, _), label, prefix (2–4 capitals), slug (a-z, 0-9, -) and code_title", d.Kind)
	}
	if d.Form = forms[d.FormKey]; d.Form == nil {
		return fmt.Errorf("kind %q: form %q is not in forms.yaml", d.Kind, d.FormKey)
	}
	if !strings.HasPrefix(d.Form.Action, "/api/v1/") {
		return fmt.Errorf("kind %q: form %q must post to /api/v1/…", d.Kind, d.FormKey)
	}
	if d.Code = d.Form.Field(d.CodeField); d.Code == nil || len(d.Code.Options) == 0 {
		return fmt.Errorf("kind %q: code_field %q is not an option field of form %q", d.Kind, d.CodeField, d.FormKey)
	}
	if len(d.Statuses) < 2 || d.Statuses[0].Code != StatusReceived || d.Statuses[len(d.Statuses)-1].Code != StatusClosed {
		return fmt.Errorf("kind %q: statuses must start with %q and end with %q", d.Kind, StatusReceived, StatusClosed)
	}
	seen := map[Status]bool{}
	for _, st := range d.Statuses {
		if !optionCodeRe.MatchString(string(st.Code)) || seen[st.Code] {
			return fmt.Errorf("kind %q: status code %q is empty, repeated or not a–z, 0–9, _", d.Kind, st.Code)
		}
		seen[st.Code] = true
		if st.Public == "" || st.Officer == "" {
			return fmt.Errorf("kind %q: status %q needs a public and an officer label", d.Kind, st.Code)
		}
	}
	if d.Status(StatusClosed).Open || !d.Status(StatusReceived).Open {
		return fmt.Errorf("kind %q: %q must be open and %q not", d.Kind, StatusReceived, StatusClosed)
	}
	return nil
}

// Status returns the definition of status s, or nil.
func (d *KindDef) Status(s Status) *StatusDef {
	for _, st := range d.Statuses {
		if st.Code == s {
			return st
		}
	}
	return nil
}

// Valid reports whether s is a status of the kind.
func (d *KindDef) Valid(s Status) bool { return d.Status(s) != nil }

// IsOpen reports whether a record in status s still needs work.
func (d *KindDef) IsOpen(s Status) bool {
	st := d.Status(s)
	return st != nil && st.Open
}

// OfficerLabel names status s for officers.
func (d *KindDef) OfficerLabel(s Status) string {
	if st := d.Status(s); st != nil {
		return st.Officer
	}
	return string(s)
}

// PublicLabel names status s for the reporter.
func (d *KindDef) PublicLabel(s Status) string {
	if st := d.Status(s); st != nil {
		return st.Public
	}
	return string(s)
}

// Ref formats an officer-facing reference: TB-2026-0042.
func (d *KindDef) Ref(year, seq int) string {
	return fmt.Sprintf("%s-%d-%04d", d.Prefix, year, seq)
}

// Kind returns the definition of kind k, or nil.
func (s *Spec) Kind(k Kind) *KindDef {
	for _, d := range s.Kinds {
		if d.Kind == k {
			return d
		}
	}
	return nil
}

// KindList lists the kinds in the order of forms.yaml.
func (s *Spec) KindList() []Kind {
	out := make([]Kind, len(s.Kinds))
	for i, d := range s.Kinds {
		out[i] = d.Kind
	}
	return out
}

// ParseRef reads a reference such as TB-2026-0042 (case and the leading
// zeros do not matter).
func (s *Spec) ParseRef(ref string) (d *KindDef, year, seq int, ok bool) {
	prefix, rest, found := strings.Cut(strings.ToUpper(strings.TrimSpace(ref)), "-")
	ys, ss, found2 := strings.Cut(rest, "-")
	if !found || !found2 || len(ys) != 4 || len(ss) == 0 || len(ss) > 9 {
		return nil, 0, 0, false
	}
	y, err1 := strconv.Atoi(ys)
	n, err2 := strconv.Atoi(ss)
	if err1 != nil || err2 != nil || n < 1 {
		return nil, 0, 0, false
	}
	for _, d := range s.Kinds {
		if d.Prefix == prefix {
			return d, y, n, true
		}
	}
	return nil, 0, 0, false
}

// checkKinds checks the kinds of a spec as a whole.
func (s *Spec) checkKinds() error {
	if len(s.Kinds) == 0 {
		return fmt.Errorf("forms.yaml: no kinds")
	}
	seen := map[string]bool{}
	for _, d := range s.Kinds {
		if err := d.check(s.Forms()); err != nil {
			return fmt.Errorf("forms.yaml: %w", err)
		}
		for _, key := range []string{"kind " + string(d.Kind), "prefix " + d.Prefix, "slug " + d.Slug, "form " + d.FormKey} {
			if seen[key] {
				return fmt.Errorf("forms.yaml: two kinds share the %s", key)
			}
			seen[key] = true
		}
	}
	for _, k := range []Kind{KindTip, KindSupport} {
		if s.Kind(k) == nil {
			return fmt.Errorf("forms.yaml: kind %q is missing", k)
		}
	}
	return nil
}

// StoredStatus is a status a store's workflow table holds, and how many
// records are in it.
type StoredStatus struct {
	Kind    Kind
	Status  Status
	Records int64
}

// Retired lists the stored statuses that the spec no longer has, for the
// store to delete; it refuses (naming it) one that records are still in,
// so that no record is left in a status nobody can see or leave.
func (s *Spec) Retired(stored []StoredStatus) ([]StoredStatus, error) {
	var out []StoredStatus
	for _, st := range stored {
		if d := s.Kind(st.Kind); d != nil && d.Valid(st.Status) {
			continue
		}
		if st.Records > 0 {
			return nil, fmt.Errorf("trạng thái %q của loại %q không còn trong data/forms.yaml nhưng %d hồ sơ đang ở trạng thái này: hãy chuyển các hồ sơ đó sang trạng thái khác bằng phiên bản cũ, hoặc giữ trạng thái này trong forms.yaml",
				st.Status, st.Kind, st.Records)
		}
		out = append(out, st)
	}
	return out, nil
}
