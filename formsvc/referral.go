package formsvc

import (
	"fmt"
	"slices"
	"time"

	"github.com/goccy/go-yaml"
)

// Destination is where officers may refer a record (data/referrals.yaml).
type Destination struct {
	Code    string `yaml:"code"`
	Name    string `yaml:"name"`
	Kinds   []Kind `yaml:"kinds"`
	Service string `yaml:"service"` // its service in data/services.yaml, if listed
}

// ReferralOutcome is what came of a referral.
type ReferralOutcome struct {
	Code string `yaml:"code"`
	Name string `yaml:"name"`
}

// Referrals is data/referrals.yaml.
type Referrals struct {
	Destinations []*Destination    `yaml:"destinations"`
	Outcomes     []ReferralOutcome `yaml:"outcomes"`
}

// ParseReferrals reads data/referrals.yaml and checks it.
func ParseReferrals(b []byte) (*Referrals, error) {
	var r Referrals
	if err := yaml.UnmarshalWithOptions(b, &r, yaml.Strict()); err != nil {
		return nil, fmt.Errorf("parse referrals.yaml: %w", err)
	}
	seen := map[string]bool{}
	for _, d := range r.Destinations {
		if !optionCodeRe.MatchString(d.Code) || seen[d.Code] || d.Name == "" || len(d.Kinds) == 0 {
			return nil, fmt.Errorf("referrals.yaml: destination %q needs a unique code (a–z, 0–9, _), a name and kinds", d.Code)
		}
		seen[d.Code] = true
	}
	for _, o := range r.Outcomes {
		if !optionCodeRe.MatchString(o.Code) || seen["outcome "+o.Code] || o.Name == "" {
			return nil, fmt.Errorf("referrals.yaml: outcome %q needs a unique code and a name", o.Code)
		}
		seen["outcome "+o.Code] = true
	}
	if len(r.Destinations) == 0 || len(r.Outcomes) == 0 {
		return nil, fmt.Errorf("referrals.yaml: no destinations or no outcomes")
	}
	return &r, nil
}

// For lists the destinations of kind k.
func (r *Referrals) For(k Kind) []*Destination {
	var out []*Destination
	for _, d := range r.Destinations {
		if slices.Contains(d.Kinds, k) {
			out = append(out, d)
		}
	}
	return out
}

// Destination returns the destination code of kind k, or nil.
func (r *Referrals) Destination(k Kind, code string) *Destination {
	for _, d := range r.For(k) {
		if d.Code == code {
			return d
		}
	}
	return nil
}

// DestinationName names a destination (its code if unknown: one removed
// from the list since).
func (r *Referrals) DestinationName(code string) string {
	for _, d := range r.Destinations {
		if d.Code == code {
			return d.Name
		}
	}
	return code
}

// Outcome returns the outcome code, or nil.
func (r *Referrals) Outcome(code string) *ReferralOutcome {
	for i := range r.Outcomes {
		if r.Outcomes[i].Code == code {
			return &r.Outcomes[i]
		}
	}
	return nil
}

// OutcomeName names an outcome ("" for none yet).
func (r *Referrals) OutcomeName(code string) string {
	if o := r.Outcome(code); o != nil {
		return o.Name
	}
	return code
}

// Referral is one referral of a record: where to, when, by whom, and
// later what came of it.
type Referral struct {
	ID          int64
	Destination string
	OfficerName string
	At          time.Time
	Outcome     string // "" until an officer records it
	OutcomeBy   string
	OutcomeAt   time.Time
}

// StatusMove is an officer's change of a record's status.
type StatusMove struct {
	To Status
	// Destination: where the record goes, for a referral status (and only
	// for one).
	Destination string
	Note        string // why: required
	OfficerID   int64
	At          time.Time
}

// PriorityChange is one change of a record's priority, with its reason.
type PriorityChange struct {
	From, To    Priority
	OfficerName string
	Reason      string
	At          time.Time
}
