package formsvc

import (
	"context"
	"time"
)

// Authors of a message.
const (
	AuthorReporter = "reporter" // the person who sent the submission
	AuthorOfficer  = "officer"  // a reply shown on the follow-up page
)

// Message is one message on a submission's follow-up thread.
type Message struct {
	ID        int64
	Author    string
	OfficerID int64 // 0 for the reporter
	Body      string
	CreatedAt time.Time
}

// FollowUpService is what the follow-up page needs from storage.
type FollowUpService interface {
	// SubmissionByReceipt finds a submission by its receipt's keyed hash;
	// an unknown hash gives an ENOTFOUND error.
	SubmissionByReceipt(ctx context.Context, receiptHash []byte) (*Submission, error)
	// Messages lists a submission's messages, oldest first (internal
	// errors only).
	Messages(ctx context.Context, s *Submission) ([]Message, error)
	// AddMessage stores a message on a submission durably. Errors:
	// EUNAVAILABLE (locked or closing), otherwise internal.
	AddMessage(ctx context.Context, s *Submission, m *Message) error
}
