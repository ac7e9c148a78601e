// Package formsvc holds the domain of the commune's form service: the
// form rules read from data/forms.yaml, submissions and their statuses,
// receipts, keys and the one error type. The sqlite package stores these
// types, the web package serves them and the cli package wires it all.
package formsvc

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Kind is the kind of a submission.
type Kind string

const (
	KindTip     Kind = "tip"     // anonymous tip-off, worked by the police
	KindSupport Kind = "support" // support request, worked by social affairs
)

// Label names the kind in Vietnamese.
func (k Kind) Label() string {
	if k == KindTip {
		return "Tin báo"
	}
	return "Yêu cầu hỗ trợ"
}

// Prefix is the kind's prefix in officer-facing references (TB-2026-0042).
func (k Kind) Prefix() string {
	if k == KindTip {
		return "TB"
	}
	return "HT"
}

// Priority of a submission.
const (
	PriorityNormal = "normal"
	PriorityHigh   = "high"
)

// StatusReceived is the first status of every submission, StatusClosed
// the last; only closed records are ever purged.
const (
	StatusReceived = "received"
	StatusClosed   = "closed"
)

// Statuses lists the statuses of each kind in workflow order.
var Statuses = map[Kind][]string{
	KindTip:     {"received", "verifying", "substantiated", "unsubstantiated", "referred", "closed"},
	KindSupport: {"received", "contacted", "in_progress", "referred", "completed", "closed"},
}

// ValidStatus reports whether s is a status of kind k.
func ValidStatus(k Kind, s string) bool { return slices.Contains(Statuses[k], s) }

// Submission is one tip-off or support request.
type Submission struct {
	ID        int64
	Kind      Kind
	Ref       string // officer-facing reference, e.g. TB-2026-0042
	Status    string
	Priority  string
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

// NewSubmission builds a submission of kind k from form f's validated
// values: the counting fields (category, services, priority) are taken out
// so that they stay queryable; everything else goes into the content.
func NewSubmission(k Kind, f *Form, c *Clean, now time.Time) *Submission {
	s := &Submission{
		Kind:      k,
		Status:    StatusReceived,
		Priority:  PriorityNormal,
		CreatedAt: now.UTC(),
		Content:   Content{Text: c.Text, Bools: c.Bools, Lists: c.Lists},
	}
	for _, fd := range f.Fields {
		if fd.Priority == PriorityHigh && c.Bools[fd.Name] {
			s.Priority = PriorityHigh
		}
	}
	switch k {
	case KindTip:
		s.Category = c.Text["category"]
	case KindSupport:
		s.Services = c.Lists["services"]
	}
	return s
}

// FormatRef formats an officer-facing reference.
func FormatRef(k Kind, year, seq int) string {
	return fmt.Sprintf("%s-%d-%04d", k.Prefix(), year, seq)
}

// ParseRef reads a reference such as TB-2026-0042 (case and the leading
// zeros do not matter).
func ParseRef(ref string) (k Kind, year, seq int, ok bool) {
	prefix, rest, found := strings.Cut(strings.ToUpper(strings.TrimSpace(ref)), "-")
	ys, ss, found2 := strings.Cut(rest, "-")
	if !found || !found2 || len(ys) != 4 || len(ss) == 0 || len(ss) > 9 {
		return "", 0, 0, false
	}
	y, err1 := strconv.Atoi(ys)
	n, err2 := strconv.Atoi(ss)
	if err1 != nil || err2 != nil || n < 1 {
		return "", 0, 0, false
	}
	for _, kind := range []Kind{KindTip, KindSupport} {
		if kind.Prefix() == prefix {
			return kind, y, n, true
		}
	}
	return "", 0, 0, false
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
