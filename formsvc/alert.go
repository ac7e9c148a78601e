package formsvc

import (
	"context"
	"net/mail"
	"slices"
	"strings"
	"time"
)

// AlertType is what an alert to officers is about. An alert never carries
// anything of a record: not its category, place, text, photos, receipt or
// reference; only counts and the console's address.
type AlertType string

const (
	AlertNew     AlertType = "new"     // new records of the kinds the officer works
	AlertReply   AlertType = "reply"   // the reporter wrote again on a record assigned to the officer
	AlertOverdue AlertType = "overdue" // records became overdue (once per record)
	AlertDigest  AlertType = "digest"  // the daily digest
)

// AlertTypes lists the alert types in the order the console shows them.
var AlertTypes = []AlertType{AlertNew, AlertReply, AlertOverdue, AlertDigest}

// AlertTypeLabels name the alert types in Vietnamese.
var AlertTypeLabels = map[AlertType]string{
	AlertNew:     "Có hồ sơ mới thuộc phần việc của tôi",
	AlertReply:   "Người gửi nhắn thêm vào hồ sơ giao cho tôi",
	AlertOverdue: "Hồ sơ bị quá hạn",
	AlertDigest:  "Tóm tắt hằng ngày",
}

// ParseAlertType reads an alert type's name.
func ParseAlertType(s string) (AlertType, bool) {
	t := AlertType(strings.TrimSpace(s))
	return t, slices.Contains(AlertTypes, t)
}

// Alert channels.
const (
	ChannelEmail   = "email"
	ChannelWebhook = "webhook"
)

// MaxEmailLen is the longest address accepted (RFC 5321's path limit).
const MaxEmailLen = 254

// ParseEmail checks an officer's alert address: one plain address
// (name@domain), no display name. "" is allowed and means none.
func ParseEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	bad := Errorf(EINVALID, "Địa chỉ email %q không hợp lệ: cần dạng ten@ten-mien, ví dụ congan.xa@gmail.com.", Clip(s, 80))
	if len(s) > MaxEmailLen || strings.ContainsAny(s, " <>\"(),;\r\n") {
		return "", bad
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return "", bad
	}
	if _, domain, _ := strings.Cut(s, "@"); !strings.Contains(domain, ".") && domain != "localhost" {
		return "", bad
	}
	return s, nil
}

// OfficerAlerts is an officer's alert settings: the address alerts go to
// ("" for none) and the types wanted. An officer who never chose wants
// every type.
type OfficerAlerts struct {
	OfficerID int64
	Username  string
	Role      Role
	Disabled  bool
	Email     string
	Wants     map[AlertType]bool
}

// Want reports whether the officer wants alerts of type t.
func (o OfficerAlerts) Want(t AlertType) bool { return o.Wants[t] }

// AllAlerts wants every type: an officer's settings before any choice.
func AllAlerts() map[AlertType]bool {
	m := make(map[AlertType]bool, len(AlertTypes))
	for _, t := range AlertTypes {
		m[t] = true
	}
	return m
}

// AlertCount is how many of one kind an alert counts.
type AlertCount struct {
	Kind Kind `json:"kind"`
	N    int  `json:"n"`
}

// StatusCount is how many open records of a kind are in a status.
type StatusCount struct {
	Status Status `json:"status"`
	N      int    `json:"n"`
}

// DigestCounts are one kind's lines of the daily digest.
type DigestCounts struct {
	Kind    Kind          `json:"kind"`
	Open    []StatusCount `json:"open"`    // open records by status, in workflow order
	New     int           `json:"new"`     // received in the 24 hours before the digest
	Overdue int           `json:"overdue"` // open and overdue at the digest
}

// OpenTotal is the number of open records of the kind.
func (d DigestCounts) OpenTotal() int {
	n := 0
	for _, s := range d.Open {
		n += s.N
	}
	return n
}

// AlertData is what one alert says: counts per kind, or a digest, and
// when it was made. Nothing else.
type AlertData struct {
	Counts []AlertCount   `json:"counts,omitempty"`
	Digest []DigestCounts `json:"digest,omitempty"`
	At     time.Time      `json:"at"`
}

// Total is the sum of the counts (a digest: of the open records).
func (d AlertData) Total() int {
	n := 0
	for _, c := range d.Counts {
		n += c.N
	}
	for _, k := range d.Digest {
		n += k.OpenTotal()
	}
	return n
}

// Outbox states.
const (
	OutboxPending   = "pending"   // to be sent, at NextAt
	OutboxSent      = "sent"      // delivered
	OutboxDropped   = "dropped"   // failed for a day: given up
	OutboxCancelled = "cancelled" // the recipient no longer has an address or no longer wants it
)

// OutboxAlert is one alert in the durable outbox: to one officer by email,
// or to the webhook for one kind.
type OutboxAlert struct {
	ID        int64
	Channel   string
	OfficerID int64 // email only
	Kind      Kind  // webhook only
	Type      AlertType
	Data      AlertData
	CreatedAt time.Time
	NextAt    time.Time
	Attempts  int
	// Read with the alert, for sending: the officer as they are now.
	Recipient OfficerAlerts
}

// AlertCursor is how far alerts of new records and of reporters' messages
// have gone for one recipient ("officer:12", "webhook:tip"): the last
// submission and message counted, and when the last such alert was made.
type AlertCursor struct {
	Recipient  string
	NewAfter   int64
	NewAt      time.Time
	ReplyAfter int64
	ReplyAt    time.Time
}

// AlertState is the dispatcher's memory between runs.
type AlertState struct {
	Cursors   map[string]AlertCursor
	DigestDay string    // the last day (Vietnam's date, 2006-01-02) a digest was made
	OverdueAt time.Time // the last search for newly overdue records
}

// Since is what a search for new rows found: the newest id at the time of
// the search, and per kind the count of new rows and the oldest one's time.
type Since struct {
	MaxID  int64
	Counts map[Kind]int
	Oldest time.Time // zero when nothing is new
}

// OverdueCase is a record that became overdue and was never alerted.
type OverdueCase struct {
	ID         int64
	Kind       Kind
	AssignedTo int64
}

// AlertPlan is what one run of the dispatcher decided, committed in one
// transaction: the new outbox rows with the cursors and marks that keep
// them from being made twice. Cursors carry the values they replace; if
// another process moved one meanwhile, nothing is committed.
type AlertPlan struct {
	Cursors    []AlertCursorChange
	Outbox     []OutboxAlert
	Overdue    []int64   // records now alerted as overdue
	OverdueAt  time.Time // zero: unchanged
	DigestDay  string    // "": unchanged
	OldDigest  string    // the day it replaces
	OldOverdue time.Time // the search time it replaces
}

// AlertCursorChange moves a cursor from Old (zero Recipient: none yet).
type AlertCursorChange struct {
	Old, New AlertCursor
	Exists   bool
}

// AlertResult is how an attempt to send an outbox alert ended.
type AlertResult struct {
	ID       int64     // the outbox row
	State    string    // OutboxSent, OutboxPending (retry at NextAt), OutboxDropped, OutboxCancelled
	Attempts int       // attempts so far
	NextAt   time.Time // when pending
	Error    string    // the last failure, for the console (never content)
	At       time.Time
	Audit    *AuditEntry // written with the result
}

// AlertStatus is the outbox as the dashboard shows it.
type AlertStatus struct {
	Pending     int
	Failing     int       // pending after at least one failed attempt
	Dropped     int       // dropped since the time asked
	LastDropped time.Time // the newest drop
	LastError   string    // the newest failure's reason
}

// AlertService stores officers' alert settings and the dispatcher's
// outbox and state.
//
// Errors: ErrAlertStale from CommitAlertPlan (another process moved the
// state: plan again); ENOTFOUND from OfficerAlertsByID for no account;
// EUNAVAILABLE from writes when the database is locked or closing;
// otherwise internal.
type AlertService interface {
	OfficerAlerts(ctx context.Context) ([]OfficerAlerts, error)
	OfficerAlertsByID(ctx context.Context, id int64) (OfficerAlerts, error)
	SetAlertEmail(ctx context.Context, officerID int64, email string) error
	SetAlertWants(ctx context.Context, officerID int64, wants map[AlertType]bool) error

	AlertState(ctx context.Context) (AlertState, error)
	MaxIDs(ctx context.Context) (submission, message int64, err error)
	NewSubmissions(ctx context.Context, afterID int64, kinds []Kind) (Since, error)
	ReporterMessages(ctx context.Context, afterID int64, kinds []Kind, assignedTo int64) (Since, error)
	NewlyOverdue(ctx context.Context, before time.Time) ([]OverdueCase, error)
	DigestCounts(ctx context.Context, kinds []Kind, newSince, overdueBefore time.Time) ([]DigestCounts, error)
	CommitAlertPlan(ctx context.Context, p AlertPlan) error
	DueAlerts(ctx context.Context, now time.Time, limit int) ([]OutboxAlert, error)
	FinishAlerts(ctx context.Context, results []AlertResult) error
	AlertStatus(ctx context.Context, droppedSince time.Time) (AlertStatus, error)
}

// ErrAlertStale means another process moved the alert state meanwhile:
// the plan was not committed, and the next run plans again.
var ErrAlertStale = Errorf(EUNAVAILABLE, "Trạng thái thông báo vừa được một tiến trình khác thay đổi; lần chạy sau sẽ tính lại.")

// Audit actions of alerts and their settings. They are here, not in
// audit.go, with their labels added below, so that alerts stay in one file.
const (
	AuditAlertSent      = "alert_sent"      // detail: the type and channel; never the counts
	AuditAlertDropped   = "alert_dropped"   // failed for a day
	AuditAlertCancelled = "alert_cancelled" // recipient without address or no longer wanting it
	AuditAlertSettings  = "alert_settings"  // an officer's address or choice of alerts changed
)

// AlertUser names the dispatcher in the audit log.
const AlertUser = "(thông báo tự động)"

func init() {
	AuditLabels[AuditAlertSent] = "Gửi thông báo"
	AuditLabels[AuditAlertDropped] = "Bỏ thông báo sau một ngày gửi không được"
	AuditLabels[AuditAlertCancelled] = "Hủy thông báo"
	AuditLabels[AuditAlertSettings] = "Đổi email hoặc loại thông báo"
}

// AlertTypeShort are short labels for the audit log and the dashboard.
var AlertTypeShort = map[AlertType]string{
	AlertNew:     "hồ sơ mới",
	AlertReply:   "người gửi nhắn thêm",
	AlertOverdue: "quá hạn",
	AlertDigest:  "tóm tắt hằng ngày",
}
