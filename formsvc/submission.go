// Package formsvc holds the domain of the commune's form service: the
// form rules read from data/forms.yaml, submissions and their statuses,
// receipts, keys and the one error type. The sqlite package stores these
// types, the web package serves them and the cli package wires it all.
package formsvc

import (
	"context"
	"errors"
	"time"
)

// Submission is one tip-off or support request.
type Submission struct {
	ID        int64
	Kind      Kind
	Ref       string // officer-facing reference, e.g. TB-2026-0042
	Status    Status
	Priority  Priority
	Category  string   // a tip's category code
	Services  []string // a support request's service codes
	CreatedAt time.Time
	UpdatedAt time.Time
	// Set by the officer side.
	AssignedTo    int64
	AssignedName  string // the assignee's username, where read with it
	PhotoCount    int    // where read for an export
	FirstActionAt time.Time
	ClosedAt      time.Time
	Content       Content // encrypted at rest
	Photos        []Photo // tips only; encrypted at rest
}

// Content is what a person wrote and chose; it is stored encrypted.
type Content struct {
	Text  map[string]string   `json:"text,omitempty"`
	Bools map[string]bool     `json:"bools,omitempty"`
	Lists map[string][]string `json:"lists,omitempty"`
	// PrivacyVersion is the version of the privacy notice agreed to.
	PrivacyVersion string `json:"privacy_version,omitempty"`
}

// Photo is an attached image with its metadata already removed.
type Photo struct {
	ContentType string
	Data        []byte
}

// NewSubmission builds a submission of kind d from its form's validated
// values: the counting fields (the kind's code field, priority) are taken
// out so that they stay queryable; everything else goes into the content.
func NewSubmission(d *KindDef, c *Clean, now time.Time) *Submission {
	s := &Submission{
		Kind:      d.Kind,
		Status:    StatusReceived,
		Priority:  PriorityNormal,
		CreatedAt: now.UTC(),
		Content:   Content{Text: c.Text, Bools: c.Bools, Lists: c.Lists},
	}
	for _, fd := range d.Form.Fields {
		if Priority(fd.Priority) == PriorityHigh && c.Bools[fd.Name] {
			s.Priority = PriorityHigh
		}
	}
	if d.Code.Multi() {
		s.Services = c.Lists[d.CodeField]
	} else {
		s.Category = c.Text[d.CodeField]
	}
	return s
}

// ErrReceiptTaken means a receipt's hash is already stored: the caller
// draws a new receipt and tries again (about one chance in 10^16 per record).
var ErrReceiptTaken = errors.New("receipt hash already stored")

// SubmissionService stores submissions.
type SubmissionService interface {
	// CreateSubmission stores s durably under the receipt's keyed hash and
	// sets its ID and Ref. It returns only once the record is committed.
	// Errors: ErrReceiptTaken (draw another receipt); EUNAVAILABLE (the
	// database is locked or closing); anything else is internal.
	CreateSubmission(ctx context.Context, s *Submission, receiptHash []byte) error
	// Ping checks that the store answers and that writes commit.
	// Errors: EUNAVAILABLE.
	Ping(ctx context.Context) error
}
