package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// The alert store (formsvc.AlertService): what the dispatcher
// (formsvc/alert) relies on of any store.

var alertAt = time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)

// Officers' settings: everything wanted and no address until chosen; an
// unknown officer is ENOTFOUND.
func testAlertSettings(t *testing.T, h Harness) {
	db := h.Open(t, Keys(t))
	ctx := context.Background()
	p := AddOfficer(t, db, "congan", formsvc.RolePolice)
	s := AddOfficer(t, db, "xahoi", formsvc.RoleSocial)
	all, err := db.OfficerAlerts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].Username != "congan" || all[1].Username != "xahoi" || all[0].Email != "" ||
		all[0].Role != formsvc.RolePolice || all[0].Disabled {
		t.Fatalf("OfficerAlerts = %+v, want congan and xahoi without address", all)
	}
	for _, ty := range formsvc.AlertTypes {
		if !all[0].Want(ty) || !all[1].Want(ty) {
			t.Errorf("before any choice, %s not wanted", ty)
		}
	}
	if err := db.SetAlertEmail(ctx, p.ID, "congan@xa.example"); err != nil {
		t.Fatal(err)
	}
	wants := formsvc.AllAlerts()
	wants[formsvc.AlertDigest] = false
	if err := db.SetAlertWants(ctx, p.ID, wants); err != nil {
		t.Fatal(err)
	}
	if err := db.SetAlertWants(ctx, s.ID, map[formsvc.AlertType]bool{formsvc.AlertReply: true}); err != nil {
		t.Fatal(err)
	}
	got, err := db.OfficerAlertsByID(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Email != "congan@xa.example" || !got.Want(formsvc.AlertNew) || got.Want(formsvc.AlertDigest) || got.OfficerID != p.ID {
		t.Errorf("congan's settings = %+v", got)
	}
	// Setting one leaves the other.
	if err := db.SetAlertEmail(ctx, p.ID, ""); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.OfficerAlertsByID(ctx, p.ID); got.Email != "" || got.Want(formsvc.AlertDigest) || !got.Want(formsvc.AlertOverdue) {
		t.Errorf("after clearing the address: %+v", got)
	}
	if got, _ := db.OfficerAlertsByID(ctx, s.ID); got.Want(formsvc.AlertNew) || !got.Want(formsvc.AlertReply) || got.Email != "" {
		t.Errorf("xahoi's settings = %+v", got)
	}
	if _, err := db.OfficerAlertsByID(ctx, 9999); formsvc.ErrorCode(err) != formsvc.ENOTFOUND {
		t.Errorf("OfficerAlertsByID(unknown): %v, want ENOTFOUND", err)
	}
	if err := db.SetAlertEmail(ctx, 9999, "a@b.example"); formsvc.ErrorCode(err) != formsvc.ENOTFOUND {
		t.Errorf("SetAlertEmail(unknown): %v, want ENOTFOUND", err)
	}
	if err := db.SetAlertWants(ctx, 9999, wants); formsvc.ErrorCode(err) != formsvc.ENOTFOUND {
		t.Errorf("SetAlertWants(unknown): %v, want ENOTFOUND", err)
	}
}

// New submissions and reporters' messages are counted per kind after a
// cursor, up to the newest id.
func testAlertNewRows(t *testing.T, h Harness) {
	db := h.Open(t, Keys(t))
	ctx := context.Background()
	o := AddOfficer(t, db, "congan", formsvc.RolePolice)
	if s, m, err := db.MaxIDs(ctx); err != nil || s != 0 || m != 0 {
		t.Fatalf("MaxIDs of an empty store = %d, %d, %v", s, m, err)
	}
	a, b := Tip("a"), Tip("b")
	b.CreatedAt = a.CreatedAt.Add(time.Hour)
	sup := &formsvc.Submission{Kind: formsvc.KindSupport, Status: "received", Priority: "normal",
		Services: []string{"hiv"}, CreatedAt: a.CreatedAt.Add(2 * time.Hour)}
	for i, s := range []*formsvc.Submission{a, b, sup} {
		if err := db.CreateSubmission(ctx, s, Hash(i)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.NewSubmissions(ctx, 0, both)
	if err != nil {
		t.Fatal(err)
	}
	if got.MaxID != sup.ID || got.Counts[formsvc.KindTip] != 2 || got.Counts[formsvc.KindSupport] != 1 || !got.Oldest.Equal(a.CreatedAt) {
		t.Errorf("NewSubmissions(0) = %+v", got)
	}
	got, err = db.NewSubmissions(ctx, a.ID, []formsvc.Kind{formsvc.KindTip})
	if err != nil {
		t.Fatal(err)
	}
	if got.MaxID != sup.ID || got.Counts[formsvc.KindTip] != 1 || len(got.Counts) != 1 || !got.Oldest.Equal(b.CreatedAt) {
		t.Errorf("NewSubmissions(after a, tips) = %+v", got)
	}
	if got, err := db.NewSubmissions(ctx, sup.ID, both); err != nil || got.MaxID != sup.ID || len(got.Counts) != 0 || !got.Oldest.IsZero() {
		t.Errorf("NewSubmissions(after all) = %+v, %v", got, err)
	}

	if err := db.Assign(ctx, a, o.ID, alertAt); err != nil {
		t.Fatal(err)
	}
	var last int64
	for i, m := range []struct {
		s      *formsvc.Submission
		author string
	}{{a, formsvc.AuthorReporter}, {a, formsvc.AuthorOfficer}, {b, formsvc.AuthorReporter}, {a, formsvc.AuthorReporter}} {
		msg := &formsvc.Message{Author: m.author, Body: "tin nhắn", CreatedAt: alertAt.Add(time.Duration(i) * time.Minute)}
		if err := db.AddMessage(ctx, m.s, msg); err != nil {
			t.Fatal(err)
		}
		last = msg.ID
	}
	if s, m, err := db.MaxIDs(ctx); err != nil || s != sup.ID || m != last {
		t.Errorf("MaxIDs = %d, %d, %v; want %d, %d", s, m, err, sup.ID, last)
	}
	got, err = db.ReporterMessages(ctx, 0, both, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got.MaxID != last || got.Counts[formsvc.KindTip] != 3 || !got.Oldest.Equal(alertAt) {
		t.Errorf("ReporterMessages(all) = %+v", got)
	}
	got, err = db.ReporterMessages(ctx, 0, both, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Counts[formsvc.KindTip] != 2 {
		t.Errorf("ReporterMessages(assigned to congan) = %+v, want 2", got)
	}
	if got, err := db.ReporterMessages(ctx, 0, []formsvc.Kind{formsvc.KindSupport}, 0); err != nil || len(got.Counts) != 0 {
		t.Errorf("ReporterMessages(support) = %+v, %v", got, err)
	}
}

// Overdue records are found until marked, once; the digest counts open
// records by status, new ones and overdue ones.
func testAlertOverdueAndDigest(t *testing.T, h Harness) {
	db := h.Open(t, Keys(t))
	ctx := context.Background()
	a, b, c := Tip("a"), Tip("b"), Tip("c")
	c.CreatedAt = alertAt.Add(-time.Hour)
	for i, s := range []*formsvc.Submission{a, b, c} {
		if err := db.CreateSubmission(ctx, s, Hash(i)); err != nil {
			t.Fatal(err)
		}
	}
	o := AddOfficer(t, db, "congan", formsvc.RolePolice)
	if err := db.ChangeStatus(ctx, b, formsvc.StatusMove{To: "closed", OfficerID: o.ID, At: a.CreatedAt}); err != nil {
		t.Fatal(err)
	}
	before := alertAt.Add(-24 * time.Hour)
	got, err := db.NewlyOverdue(ctx, before)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != a.ID || got[0].Kind != formsvc.KindTip || got[0].AssignedTo != 0 {
		t.Fatalf("NewlyOverdue = %+v, want a only", got)
	}
	if err := db.CommitAlertPlan(ctx, formsvc.AlertPlan{Overdue: []int64{a.ID, 9999}, OverdueAt: alertAt}); err != nil {
		t.Fatal(err)
	}
	if got, err := db.NewlyOverdue(ctx, before); err != nil || len(got) != 0 {
		t.Errorf("NewlyOverdue after marking = %+v, %v", got, err)
	}
	d, err := db.DigestCounts(ctx, both, alertAt.Add(-2*time.Hour), before)
	if err != nil {
		t.Fatal(err)
	}
	if len(d) != 2 || d[0].Kind != formsvc.KindTip || d[1].Kind != formsvc.KindSupport {
		t.Fatalf("DigestCounts = %+v", d)
	}
	if d[0].OpenTotal() != 2 || d[0].New != 1 || d[0].Overdue != 1 || d[1].OpenTotal() != 0 || len(d[1].Open) == 0 {
		t.Errorf("DigestCounts = %+v; want 2 open tips, 1 new, 1 overdue", d)
	}
	for _, sc := range d[0].Open {
		if sc.Status == formsvc.StatusReceived && sc.N != 2 {
			t.Errorf("received tips = %d, want 2", sc.N)
		}
	}
}

// The state commits with the plan's outbox rows, only over the values it
// replaces: a plan made from an older state is ErrAlertStale and leaves
// nothing.
func testAlertPlanStale(t *testing.T, h Harness) {
	db := h.Open(t, Keys(t))
	ctx := context.Background()
	o := AddOfficer(t, db, "congan", formsvc.RolePolice)
	st, err := db.AlertState(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Cursors) != 0 || st.DigestDay != "" || !st.OverdueAt.IsZero() {
		t.Fatalf("state of an empty store = %+v", st)
	}
	cur := formsvc.AlertCursor{Recipient: fmt.Sprintf("officer:%d", o.ID), NewAfter: 3, NewAt: alertAt}
	plan := formsvc.AlertPlan{
		Cursors:   []formsvc.AlertCursorChange{{New: cur}},
		Outbox:    []formsvc.OutboxAlert{emailAlert(o.ID, 1)},
		DigestDay: "2026-12-01", OverdueAt: alertAt,
	}
	if err := db.CommitAlertPlan(ctx, plan); err != nil {
		t.Fatal(err)
	}
	st, err = db.AlertState(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := st.Cursors[cur.Recipient]
	if len(st.Cursors) != 1 || got.NewAfter != 3 || !got.NewAt.Equal(alertAt) || got.ReplyAfter != 0 || !got.ReplyAt.IsZero() ||
		st.DigestDay != "2026-12-01" || !st.OverdueAt.Equal(alertAt) {
		t.Fatalf("state = %+v", st)
	}
	// The same plan again (made from the empty state): stale, nothing added.
	for _, p := range []formsvc.AlertPlan{
		plan,
		{Cursors: []formsvc.AlertCursorChange{{Old: cur, New: cur, Exists: true}}, DigestDay: "2026-12-02", OldDigest: "2026-11-30",
			Outbox: []formsvc.OutboxAlert{emailAlert(o.ID, 2)}},
		{OverdueAt: alertAt.Add(time.Hour), OldOverdue: alertAt.Add(-time.Hour), Outbox: []formsvc.OutboxAlert{emailAlert(o.ID, 2)}},
		{Cursors: []formsvc.AlertCursorChange{{Old: formsvc.AlertCursor{Recipient: cur.Recipient, NewAfter: 2, NewAt: alertAt}, New: cur, Exists: true}},
			Outbox: []formsvc.OutboxAlert{emailAlert(o.ID, 2)}},
	} {
		if err := db.CommitAlertPlan(ctx, p); !errors.Is(err, formsvc.ErrAlertStale) {
			t.Errorf("plan over an older state: %v, want ErrAlertStale", err)
		}
	}
	if due, err := db.DueAlerts(ctx, alertAt.Add(time.Hour), 10); err != nil || len(due) != 1 {
		t.Fatalf("after stale plans: %d due (%v), want the first plan's one", len(due), err)
	}
	// Over the current state: it commits.
	next := cur
	next.NewAfter, next.NewAt, next.ReplyAfter, next.ReplyAt = 7, alertAt.Add(5*time.Minute), 2, alertAt.Add(6*time.Minute)
	if err := db.CommitAlertPlan(ctx, formsvc.AlertPlan{
		Cursors:   []formsvc.AlertCursorChange{{Old: cur, New: next, Exists: true}},
		DigestDay: "2026-12-02", OldDigest: "2026-12-01",
		OverdueAt: alertAt.Add(time.Hour), OldOverdue: alertAt,
	}); err != nil {
		t.Fatal(err)
	}
	st, _ = db.AlertState(ctx)
	if got := st.Cursors[cur.Recipient]; got.NewAfter != 7 || !got.NewAt.Equal(next.NewAt) || got.ReplyAfter != 2 || !got.ReplyAt.Equal(next.ReplyAt) ||
		st.DigestDay != "2026-12-02" || !st.OverdueAt.Equal(alertAt.Add(time.Hour)) {
		t.Errorf("state = %+v", st)
	}
}

// Plans made from one state and committed at once: one commits, the
// others are ErrAlertStale; one set of alerts is queued.
func testAlertPlanRace(t *testing.T, h Harness) {
	db := h.Open(t, Keys(t))
	ctx := context.Background()
	o := AddOfficer(t, db, "congan", formsvc.RolePolice)
	cur := formsvc.AlertCursor{Recipient: "webhook:tip", NewAfter: 1, NewAt: alertAt}
	if err := db.CommitAlertPlan(ctx, formsvc.AlertPlan{Cursors: []formsvc.AlertCursorChange{{New: cur}}, DigestDay: "2026-11-30"}); err != nil {
		t.Fatal(err)
	}
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			next := cur
			next.NewAfter = int64(10 + i)
			errs[i] = db.CommitAlertPlan(ctx, formsvc.AlertPlan{
				Cursors: []formsvc.AlertCursorChange{{Old: cur, New: next, Exists: true}},
				Outbox:  []formsvc.OutboxAlert{emailAlert(o.ID, i)}, DigestDay: "2026-12-01", OldDigest: "2026-11-30"})
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, formsvc.ErrAlertStale):
			t.Errorf("CommitAlertPlan: %v, want nil or ErrAlertStale", err)
		}
	}
	if won != 1 {
		t.Errorf("%d plans committed, want 1", won)
	}
	if due, err := db.DueAlerts(ctx, alertAt.Add(time.Hour), 100); err != nil || len(due) != 1 {
		t.Errorf("%d alerts queued (%v), want 1", len(due), err)
	}
}

// emailAlert is an alert of new records to an officer, counting n tips.
func emailAlert(officerID int64, n int) formsvc.OutboxAlert {
	return formsvc.OutboxAlert{Channel: formsvc.ChannelEmail, OfficerID: officerID, Type: formsvc.AlertNew, CreatedAt: alertAt,
		Data: formsvc.AlertData{Counts: []formsvc.AlertCount{{Kind: formsvc.KindTip, N: n}}, At: alertAt}}
}

// The outbox: due alerts come with their recipient as they are now; the
// results of attempts are kept, with their audit entries, once; the
// dashboard's sum.
func testAlertOutbox(t *testing.T, h Harness) {
	db := h.Open(t, Keys(t))
	ctx := context.Background()
	o := AddOfficer(t, db, "congan", formsvc.RolePolice)
	if err := db.SetAlertEmail(ctx, o.ID, "congan@xa.example"); err != nil {
		t.Fatal(err)
	}
	digest := formsvc.OutboxAlert{Channel: formsvc.ChannelWebhook, Kind: formsvc.KindTip, Type: formsvc.AlertDigest,
		CreatedAt: alertAt.Add(time.Minute), Data: formsvc.AlertData{At: alertAt, Digest: []formsvc.DigestCounts{{Kind: formsvc.KindTip,
			Open: []formsvc.StatusCount{{Status: formsvc.StatusReceived, N: 4}}, New: 1, Overdue: 2}}}}
	later := emailAlert(o.ID, 9)
	later.CreatedAt = alertAt.Add(time.Hour)
	if err := db.CommitAlertPlan(ctx, formsvc.AlertPlan{Outbox: []formsvc.OutboxAlert{emailAlert(o.ID, 5), digest, later}}); err != nil {
		t.Fatal(err)
	}
	if s, err := db.AlertStatus(ctx, alertAt); err != nil || s.Pending != 3 || s.Failing != 0 || s.Dropped != 0 {
		t.Fatalf("AlertStatus = %+v, %v; want 3 pending", s, err)
	}
	if due, err := db.DueAlerts(ctx, alertAt.Add(-time.Second), 10); err != nil || len(due) != 0 {
		t.Fatalf("due before any: %+v, %v", due, err)
	}
	due, err := db.DueAlerts(ctx, alertAt.Add(2*time.Minute), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 2 {
		t.Fatalf("%d due, want 2", len(due))
	}
	mail, hook := due[0], due[1]
	if mail.Channel != formsvc.ChannelEmail || mail.OfficerID != o.ID || mail.Recipient.Email != "congan@xa.example" ||
		mail.Recipient.Username != "congan" || mail.Recipient.Role != formsvc.RolePolice || !mail.Recipient.Want(formsvc.AlertNew) ||
		mail.Type != formsvc.AlertNew || mail.Data.Total() != 5 || !mail.Data.At.Equal(alertAt) || !mail.CreatedAt.Equal(alertAt) ||
		!mail.NextAt.Equal(alertAt) || mail.Attempts != 0 || mail.ID == 0 {
		t.Errorf("first due = %+v", mail)
	}
	if hook.Channel != formsvc.ChannelWebhook || hook.Kind != formsvc.KindTip || hook.OfficerID != 0 || hook.Type != formsvc.AlertDigest ||
		len(hook.Data.Digest) != 1 || hook.Data.Digest[0].Overdue != 2 || hook.Data.Total() != 4 {
		t.Errorf("second due = %+v", hook)
	}
	now := alertAt.Add(2 * time.Minute)
	audit := func(action string) *formsvc.AuditEntry {
		return &formsvc.AuditEntry{At: now, Username: formsvc.AlertUser, Action: action, Target: "congan", Detail: "hồ sơ mới · email"}
	}
	results := []formsvc.AlertResult{
		{ID: mail.ID, State: formsvc.OutboxSent, Attempts: 1, At: now, Audit: audit(formsvc.AuditAlertSent)},
		{ID: hook.ID, State: formsvc.OutboxPending, Attempts: 1, NextAt: now.Add(time.Minute), Error: "connection refused", At: now},
	}
	if err := db.FinishAlerts(ctx, results); err != nil {
		t.Fatal(err)
	}
	// Finished again (another process's late result): left as it is.
	if err := db.FinishAlerts(ctx, results[:1]); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishAlerts(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if s, err := db.AlertStatus(ctx, alertAt); err != nil || s.Pending != 2 || s.Failing != 1 || s.LastError != "connection refused" {
		t.Errorf("AlertStatus = %+v, %v; want 2 pending, 1 failing", s, err)
	}
	if due, err := db.DueAlerts(ctx, now.Add(30*time.Second), 10); err != nil || len(due) != 0 {
		t.Errorf("due before the retry: %+v, %v", due, err)
	}
	due, err = db.DueAlerts(ctx, now.Add(2*time.Hour), 1)
	if err != nil || len(due) != 1 || due[0].ID != hook.ID || due[0].Attempts != 1 || !due[0].NextAt.Equal(now.Add(time.Minute)) {
		t.Fatalf("due at the retry, one at most: %+v, %v; want the webhook's", due, err)
	}
	dropAt := now.Add(2 * time.Hour)
	if err := db.FinishAlerts(ctx, []formsvc.AlertResult{{ID: hook.ID, State: formsvc.OutboxDropped, Attempts: 2, Error: "timeout", At: dropAt,
		Audit: audit(formsvc.AuditAlertDropped)}}); err != nil {
		t.Fatal(err)
	}
	s, err := db.AlertStatus(ctx, alertAt)
	if err != nil || s.Pending != 1 || s.Failing != 0 || s.Dropped != 1 || !s.LastDropped.Equal(dropAt) || s.LastError != "timeout" {
		t.Errorf("AlertStatus = %+v, %v; want 1 pending, 1 dropped at %s", s, err, dropAt)
	}
	if s, err := db.AlertStatus(ctx, dropAt.Add(time.Second)); err != nil || s.Dropped != 0 || !s.LastDropped.IsZero() || s.LastError != "" {
		t.Errorf("AlertStatus since after the drop = %+v, %v", s, err)
	}
	entries, _, err := db.AuditLog(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, e := range entries {
		n[e.Action]++
	}
	if n[formsvc.AuditAlertSent] != 1 || n[formsvc.AuditAlertDropped] != 1 {
		t.Errorf("audit entries %v; want one sent, one dropped", n)
	}
	// A cancelled alert, the recipient's settings read as they are now.
	if err := db.SetAlertWants(ctx, o.ID, map[formsvc.AlertType]bool{}); err != nil {
		t.Fatal(err)
	}
	due, err = db.DueAlerts(ctx, dropAt, 10)
	if err != nil || len(due) != 1 || due[0].Recipient.Want(formsvc.AlertNew) || due[0].Data.Total() != 9 {
		t.Fatalf("due = %+v, %v; want the later alert, no longer wanted", due, err)
	}
	if err := db.FinishAlerts(ctx, []formsvc.AlertResult{{ID: due[0].ID, State: formsvc.OutboxCancelled, At: dropAt}}); err != nil {
		t.Fatal(err)
	}
	if s, err := db.AlertStatus(ctx, alertAt); err != nil || s.Pending != 0 {
		t.Errorf("AlertStatus = %+v, %v; want none pending", s, err)
	}
}
