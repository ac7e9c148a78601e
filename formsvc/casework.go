package formsvc

import (
	"context"
	"time"
)

// DefaultRetentionDays is how long a closed record is kept before
// `formsvc purge` deletes it, unless --retention says otherwise. The privacy
// page (content/rieng-tu) states it; a site test holds the two together.
const DefaultRetentionDays = 365

// StatusChange is one step of a record's status history.
type StatusChange struct {
	From, To    Status
	OfficerName string
	Note        string
	At          time.Time
}

// Note is an internal note: officers only, never shown to the reporter.
type Note struct {
	OfficerName string
	Body        string
	At          time.Time
}

// CaseFilter selects records for the inbox, exports and reports.
type CaseFilter struct {
	Kinds    []Kind // the kinds the role may see: always set
	Kind     Kind   // optional narrowing
	Status   Status
	Code     string // a tip's category or a support request's service
	Priority Priority
	From, To time.Time // created at, To exclusive; zero means open-ended
	Offset   int
	Limit    int
	// Newest: newest first, where a filter streams (EachSubmission takes
	// Limit then, and reads only that many).
	Newest bool
}

// CaseSummary is one line of the inbox.
type CaseSummary struct {
	ID         int64
	Kind       Kind
	Ref        string
	Status     Status
	Priority   Priority
	Category   string
	Services   []string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	AssignedTo string
	Overdue    bool
}

// CaseService is the officers' view of the records.
//
// Unless a method says otherwise, its errors are: EUNAVAILABLE (writes: the
// database is locked or closing) or internal.
type CaseService interface {
	// Cases lists the cases of f, one page, and how many match in all.
	Cases(ctx context.Context, f CaseFilter, overdueBefore time.Time) ([]CaseSummary, int, error)
	// StatusCounts counts open and closed cases by status, for kinds.
	StatusCounts(ctx context.Context, kinds []Kind) (map[Kind]map[Status]int, error)
	// Case reads one case, decrypted. ENOTFOUND when there is none or its
	// kind is not among kinds (the same answer, so a role learns nothing).
	Case(ctx context.Context, id int64, kinds []Kind) (*Submission, error)
	// History lists a case's status changes, oldest first.
	History(ctx context.Context, s *Submission) ([]StatusChange, error)
	// Notes lists a case's internal notes, oldest first.
	Notes(ctx context.Context, s *Submission) ([]Note, error)
	// ChangeStatus moves s from s.Status to m.To, with m's note; to a
	// referral status it records the referral to m.Destination in the same
	// transaction. ECONFLICT when the stored status is no longer s.Status
	// (someone else changed it); EINVALID when m.To is a referral status
	// and m.Destination is not a destination of s's kind, or m.To is not a
	// referral status and m.Destination is set.
	ChangeStatus(ctx context.Context, s *Submission, m StatusMove) error
	// SetPriority changes s's priority from s.Priority to to, with the
	// reason, and records it in the priority history. ECONFLICT when the
	// stored priority is no longer s.Priority.
	SetPriority(ctx context.Context, s *Submission, to Priority, officerID int64, reason string, now time.Time) error
	// PriorityHistory lists s's priority changes, oldest first.
	PriorityHistory(ctx context.Context, s *Submission) ([]PriorityChange, error)
	// Referrals lists s's referrals, oldest first.
	Referrals(ctx context.Context, s *Submission) ([]Referral, error)
	// RecordOutcome records what came of referral id of s. ENOTFOUND when
	// s has no such referral; EINVALID for an outcome not in the list.
	RecordOutcome(ctx context.Context, s *Submission, id int64, outcome string, officerID int64, now time.Time) error
	// AddNote adds an internal note.
	AddNote(ctx context.Context, s *Submission, officerID int64, body string, now time.Time) error
	// Reply adds an officer's message that the reporter sees at follow-up.
	Reply(ctx context.Context, s *Submission, officerID int64, body string, now time.Time) error
	// Assign gives the case to an officer (0: nobody).
	Assign(ctx context.Context, s *Submission, officerID int64, now time.Time) error
	// CaseByRef is Case by its reference (TB-2026-0042): ENOTFOUND for a
	// malformed reference, none, or one of a kind not among kinds.
	CaseByRef(ctx context.Context, ref string, kinds []Kind) (*Submission, error)
	// Photos returns a case's photos, decrypted.
	Photos(ctx context.Context, s *Submission) ([]Photo, error)
	// EachSubmission streams the cases of f, decrypted, one at a time,
	// oldest first (newest first with f.Newest, then at most f.Limit); a
	// case that does not open goes to skip with why (nil skip: the stream
	// ends with that error). Errors: internal, or fn's.
	EachSubmission(ctx context.Context, f CaseFilter, fn func(*Submission) error, skip func(*Submission, error)) error
}
