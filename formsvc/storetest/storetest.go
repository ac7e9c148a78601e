// Package storetest is one set of storage tests run against every store
// (formsvc/sqlite and formsvc/postgres): each store's tests call Run with
// a Harness that opens a fresh store.
//
// It covers the public intake path (CreateSubmission, SubmissionByReceipt,
// Photos, AddMessage, Messages), officers and their second factor, the
// audit log, sessions under hashed tokens, casework (the inbox, status
// and priority changes, referrals, notes, replies, assignment), the
// streams of records and facts, the alert store (settings, the
// dispatcher's state and its stale check, the outbox), and how sealed
// values are bound to their places.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/internal/seal"
)

// Store is what the tests use of a store.
type Store interface {
	formsvc.SubmissionService
	formsvc.FollowUpService
	formsvc.OfficerService
	formsvc.AuditService
	formsvc.CaseService
	formsvc.FactsService
	formsvc.AlertService
	SessionStore() scs.Store
}

// A Harness opens stores for the tests.
type Harness struct {
	// Open opens a fresh, empty store with the given keys (closed at the
	// test's end).
	Open func(t *testing.T, keys *formsvc.Keys) Store
	// Exec runs one statement on s's database outside the store, as
	// someone with write access to the database could; ? marks a
	// parameter.
	Exec func(t *testing.T, s Store, q string, args ...any) error
	// Count runs a query of one integer (count(*)) on s's database
	// outside the store; ? marks a parameter.
	Count func(t *testing.T, s Store, q string, args ...any) int
}

// Keys are the test key file's keys.
func Keys(t testing.TB) *formsvc.Keys {
	t.Helper()
	k, err := formsvc.DeriveKeys(bytes.Repeat([]byte{42}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// Tip is a tip of 28 November 2026 with text as its description.
func Tip(text string) *formsvc.Submission {
	return &formsvc.Submission{
		Kind: formsvc.KindTip, Status: formsvc.StatusReceived, Priority: formsvc.PriorityNormal,
		Category: "karaoke", CreatedAt: time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC),
		Content: formsvc.Content{Text: map[string]string{"description": text, "location": "Thôn 3"}},
	}
}

// Hash is the keyed hash of the i-th test receipt.
func Hash(i int) []byte {
	return formsvc.NewReceiptHasher(bytes.Repeat([]byte{1}, 32)).Hash(formsvc.Receipt(fmt.Sprintf("%016d", i)))
}

// Run runs every storage test against the harness's store.
func Run(t *testing.T, h Harness) {
	for _, tt := range []struct {
		name string
		test func(*testing.T, Harness)
	}{
		{"CreateAndFindByReceipt", testCreateAndFind},
		{"ReceiptHashIsUnique", testReceiptUnique},
		{"ReferencesCountPerKindAndYear", testReferences},
		{"ConcurrentCreatesAllLandWithDistinctReferences", testConcurrent},
		{"PhotosInOrder", testPhotos},
		{"MessagesOldestFirst", testMessages},
		{"SwappedSealedValuesDoNotOpen", testSwapped},
		{"Ping", testPing},
		{"Officers", testOfficers},
		{"LegacyPasswordHashUpgrade", testLegacyHash},
		{"TOTPStepIsUsedOnce", testTOTPStep},
		{"TOTPStepAndRecoveryCodeRacingLoginsOneWins", testTOTPRace},
		{"TOTPSecretAndRecoveryCodes", testTOTPSecretAndRecovery},
		{"RequireTOTPSetting", testRequireTOTP},
		{"AuditLogAppendOnlyAndClipped", testAudit},
		{"SessionsUnderHashedTokens", testSessions},
		{"InboxOrderFiltersAndCounts", testInbox},
		{"CaseAndCaseByRef", testCase},
		{"ChangeStatusHistoryReferralsOutcomes", testChangeStatus},
		{"ChangeStatusRacingOfficersOneWins", testChangeStatusRace},
		{"PriorityAndItsHistory", testPriority},
		{"NotesRepliesAssign", testNotesRepliesAssign},
		{"EachSubmissionStreams", testEachSubmission},
		{"EachFacts", testEachFacts},
		{"AlertSettings", testAlertSettings},
		{"AlertNewRowsCounted", testAlertNewRows},
		{"AlertOverdueOnceAndDigest", testAlertOverdueAndDigest},
		{"AlertPlanOverAnOlderStateIsStale", testAlertPlanStale},
		{"AlertPlansRacingOneCommits", testAlertPlanRace},
		{"AlertOutbox", testAlertOutbox},
	} {
		t.Run(tt.name, func(t *testing.T) { tt.test(t, h) })
	}
}

func testCreateAndFind(t *testing.T, h Harness) {
	db := h.Open(t, Keys(t))
	ctx := context.Background()
	s := Tip("Có người bị ép tiếp khách")
	s.Priority = formsvc.PriorityHigh
	if err := db.CreateSubmission(ctx, s, Hash(1)); err != nil {
		t.Fatal(err)
	}
	if s.ID == 0 || s.Ref != "TB-2026-0001" {
		t.Errorf("ID, Ref = %d, %q; want an id and TB-2026-0001", s.ID, s.Ref)
	}
	got, err := db.SubmissionByReceipt(ctx, Hash(1))
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != s.ID || got.Content.Text["description"] != "Có người bị ép tiếp khách" || got.Content.Text["location"] != "Thôn 3" ||
		got.Priority != formsvc.PriorityHigh || got.Status != formsvc.StatusReceived || got.Kind != formsvc.KindTip ||
		got.Category != "karaoke" || got.Ref != s.Ref || !got.CreatedAt.Equal(s.CreatedAt) || got.CreatedAt.Location() != time.UTC {
		t.Errorf("found %+v, want what was stored", got)
	}
	if _, err := db.SubmissionByReceipt(ctx, Hash(2)); formsvc.ErrorCode(err) != formsvc.ENOTFOUND {
		t.Errorf("unknown receipt: error = %v, want ENOTFOUND", err)
	}
}

func testReceiptUnique(t *testing.T, h Harness) {
	db := h.Open(t, Keys(t))
	ctx := context.Background()
	if err := db.CreateSubmission(ctx, Tip("một"), Hash(7)); err != nil {
		t.Fatal(err)
	}
	sup := &formsvc.Submission{Kind: formsvc.KindSupport, Status: "received", Priority: "normal",
		Services: []string{"hiv"}, CreatedAt: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)}
	for _, s := range []*formsvc.Submission{Tip("hai"), sup} { // taken by a tip: whatever the kind
		if err := db.CreateSubmission(ctx, s, Hash(7)); !errors.Is(err, formsvc.ErrReceiptTaken) {
			t.Fatalf("second insert of a %s with the same hash: error = %v, want ErrReceiptTaken", s.Kind, err)
		}
	}
	// The failed writes left nothing behind and gave their numbers back.
	s := Tip("ba")
	if err := db.CreateSubmission(ctx, s, Hash(8)); err != nil {
		t.Fatal(err)
	}
	if s.Ref != "TB-2026-0002" {
		t.Errorf("Ref = %q, want TB-2026-0002", s.Ref)
	}
	sup = &formsvc.Submission{Kind: formsvc.KindSupport, Status: "received", Priority: "normal",
		Services: []string{"hiv"}, CreatedAt: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)}
	if err := db.CreateSubmission(ctx, sup, Hash(9)); err != nil {
		t.Fatal(err)
	}
	if sup.Ref != "HT-2026-0001" {
		t.Errorf("Ref = %q, want HT-2026-0001", sup.Ref)
	}
	if got, err := db.SubmissionByReceipt(ctx, Hash(7)); err != nil || got.Content.Text["description"] != "một" {
		t.Errorf("the first record after the refused ones = %+v, %v", got, err)
	}
}

func testReferences(t *testing.T, h Harness) {
	db := h.Open(t, Keys(t))
	ctx := context.Background()
	sup := &formsvc.Submission{Kind: formsvc.KindSupport, Status: "received", Priority: "normal",
		Services: []string{"job", "hiv", "legal_aid"}, CreatedAt: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)}
	if err := db.CreateSubmission(ctx, sup, Hash(1)); err != nil {
		t.Fatal(err)
	}
	old := Tip("năm trước")
	old.CreatedAt = time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)
	if err := db.CreateSubmission(ctx, old, Hash(2)); err != nil {
		t.Fatal(err)
	}
	now := Tip("năm nay")
	if err := db.CreateSubmission(ctx, now, Hash(3)); err != nil {
		t.Fatal(err)
	}
	again := Tip("năm nay nữa")
	if err := db.CreateSubmission(ctx, again, Hash(4)); err != nil {
		t.Fatal(err)
	}
	for got, want := range map[string]string{sup.Ref: "HT-2026-0001", old.Ref: "TB-2025-0001", now.Ref: "TB-2026-0001",
		again.Ref: "TB-2026-0002"} {
		if got != want {
			t.Errorf("Ref = %q, want %q", got, want)
		}
	}
	back, err := db.SubmissionByReceipt(ctx, Hash(1))
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(back.Services) != "[job hiv legal_aid]" || back.Category != "" {
		t.Errorf("Services, Category = %v, %q; want the services in the order given", back.Services, back.Category)
	}
}

func testConcurrent(t *testing.T, h Harness) {
	db := h.Open(t, Keys(t))
	ctx := context.Background()
	const n = 200
	var wg sync.WaitGroup
	refs := make([]string, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := Tip(fmt.Sprintf("tin %d", i))
			if i%5 == 0 {
				s = &formsvc.Submission{Kind: formsvc.KindSupport, Status: "received", Priority: "normal",
					Services: []string{"hiv"}, CreatedAt: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)}
			}
			if i%20 == 3 {
				errs[i] = db.CreateSubmission(ctx, s, Hash(3)) // one receipt for several: one lands
				if errors.Is(errs[i], formsvc.ErrReceiptTaken) {
					errs[i] = nil
					return
				}
			} else {
				errs[i] = db.CreateSubmission(ctx, s, Hash(1000+i))
			}
			refs[i] = s.Ref
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	perKind := map[string]int{}
	for i, err := range errs {
		if err != nil {
			t.Errorf("submission %d: %v", i, err)
			continue
		}
		if refs[i] == "" {
			continue
		}
		if seen[refs[i]] {
			t.Errorf("reference %s given twice", refs[i])
		}
		seen[refs[i]] = true
		perKind[refs[i][:2]]++
	}
	// Gapless: the references of each kind are 1..count.
	for prefix, count := range perKind {
		for i := 1; i <= count; i++ {
			if ref := fmt.Sprintf("%s-2026-%04d", prefix, i); !seen[ref] {
				t.Errorf("reference %s missing: %d %s references should be 1 to %d", ref, count, prefix, count)
			}
		}
	}
	if total := perKind["TB"] + perKind["HT"]; total != n-(n/20)+1 {
		t.Errorf("%d records stored, want %d", total, n-(n/20)+1)
	}
}

func testPhotos(t *testing.T, h Harness) {
	db := h.Open(t, Keys(t))
	ctx := context.Background()
	s := Tip("ảnh")
	s.Photos = []formsvc.Photo{{ContentType: "image/png", Data: []byte("PHOTO-1")},
		{ContentType: "image/jpeg", Data: []byte("PHOTO-2")}, {ContentType: "image/png", Data: []byte("PHOTO-3")}}
	if err := db.CreateSubmission(ctx, s, Hash(1)); err != nil {
		t.Fatal(err)
	}
	got, err := db.Photos(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || string(got[0].Data) != "PHOTO-1" || got[1].ContentType != "image/jpeg" || string(got[2].Data) != "PHOTO-3" {
		t.Errorf("Photos = %+v, want the three in order", got)
	}
	other := Tip("không ảnh")
	if err := db.CreateSubmission(ctx, other, Hash(2)); err != nil {
		t.Fatal(err)
	}
	if got, err := db.Photos(ctx, other); err != nil || len(got) != 0 {
		t.Errorf("Photos of a tip without = %v, %v", got, err)
	}
}

func testMessages(t *testing.T, h Harness) {
	db := h.Open(t, Keys(t))
	ctx := context.Background()
	a, b := Tip("a"), Tip("b")
	for i, s := range []*formsvc.Submission{a, b} {
		if err := db.CreateSubmission(ctx, s, Hash(i)); err != nil {
			t.Fatal(err)
		}
	}
	at := time.Date(2026, 12, 1, 8, 30, 0, 0, time.UTC)
	want := []formsvc.Message{
		{Author: formsvc.AuthorReporter, Body: "Tôi thấy thêm một xe lạ", CreatedAt: at},
		{Author: formsvc.AuthorOfficer, OfficerID: 0, Body: "Cảm ơn, chúng tôi đang xác minh", CreatedAt: at.Add(time.Hour)},
		{Author: formsvc.AuthorReporter, Body: "Xe đến lúc 22 giờ", CreatedAt: at.Add(2 * time.Hour)},
	}
	for i := range want {
		m := want[i]
		if err := db.AddMessage(ctx, a, &m); err != nil {
			t.Fatal(err)
		}
		if m.ID == 0 {
			t.Fatalf("message %d has no ID", i)
		}
		want[i].ID = m.ID
	}
	if err := db.AddMessage(ctx, b, &formsvc.Message{Author: formsvc.AuthorReporter, Body: "của b", CreatedAt: at}); err != nil {
		t.Fatal(err)
	}
	got, err := db.Messages(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("Messages = %+v, want %d", got, len(want))
	}
	for i := range want {
		if got[i].ID != want[i].ID || got[i].Author != want[i].Author || got[i].Body != want[i].Body ||
			!got[i].CreatedAt.Equal(want[i].CreatedAt) || got[i].OfficerID != want[i].OfficerID {
			t.Errorf("message %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if got, err := db.Messages(ctx, b); err != nil || len(got) != 1 || got[0].Body != "của b" {
		t.Errorf("b's messages = %+v, %v", got, err)
	}
}

// A sealed value moved to another row, column or record, or left in a
// record whose kind or receipt changed, does not open: contents, photos,
// messages, notes, status notes, priority reasons, TOTP secrets.
func testSwapped(t *testing.T, h Harness) {
	ctx := context.Background()
	type fixture struct {
		db     Store
		a, b   *formsvc.Submission
		ha, hb []byte
		oa, ob *formsvc.Officer
	}
	setUp := func(t *testing.T) *fixture {
		f := &fixture{db: h.Open(t, Keys(t)), ha: Hash(100), hb: Hash(101)}
		at := time.Date(2026, 3, 2, 3, 0, 0, 0, time.UTC)
		for i, p := range []**formsvc.Submission{&f.a, &f.b} {
			s := Tip(fmt.Sprintf("TIP-%d", i))
			s.Photos = []formsvc.Photo{{ContentType: "image/jpeg", Data: []byte(fmt.Sprintf("PHOTO-%d", i))},
				{ContentType: "image/png", Data: []byte(fmt.Sprintf("PHOTO-%d-2", i))}}
			if err := f.db.CreateSubmission(ctx, s, Hash(100+i)); err != nil {
				t.Fatal(err)
			}
			for j := range 2 {
				if err := f.db.AddMessage(ctx, s, &formsvc.Message{Author: "reporter", Body: fmt.Sprintf("MSG-%d-%d", i, j), CreatedAt: at}); err != nil {
					t.Fatal(err)
				}
			}
			*p = s
		}
		f.oa, f.ob = AddOfficer(t, f.db, "congan", formsvc.RolePolice), AddOfficer(t, f.db, "xahoi", formsvc.RoleSocial)
		for i, o := range []*formsvc.Officer{f.oa, f.ob} {
			if err := f.db.SetTOTP(ctx, o.ID, fmt.Sprintf("SECRET%d", i), true, nil); err != nil {
				t.Fatal(err)
			}
		}
		for i, s := range []*formsvc.Submission{f.a, f.b} {
			for j := range 2 {
				if err := f.db.AddNote(ctx, s, f.oa.ID, fmt.Sprintf("NOTE-%d-%d", i, j), at); err != nil {
					t.Fatal(err)
				}
			}
			if err := f.db.ChangeStatus(ctx, s, formsvc.StatusMove{To: "verifying", Note: fmt.Sprintf("STATUS-%d", i), OfficerID: f.oa.ID, At: at}); err != nil {
				t.Fatal(err)
			}
			s.Status = "verifying"
			for j, p := range []formsvc.Priority{formsvc.PriorityHigh, formsvc.PriorityNormal} {
				if err := f.db.SetPriority(ctx, s, p, f.oa.ID, fmt.Sprintf("REASON-%d-%d", i, j), at); err != nil {
					t.Fatal(err)
				}
				s.Priority = p
			}
		}
		return f
	}
	exec := func(t *testing.T, f *fixture, q string, args ...any) {
		t.Helper()
		if err := h.Exec(t, f.db, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		name   string
		tamper func(*testing.T, *fixture)
		read   func(*fixture) error
	}{
		{"a record's content copied over another's, found by receipt",
			func(t *testing.T, f *fixture) {
				exec(t, f, `UPDATE submissions SET content = (SELECT content FROM submissions WHERE id = ?) WHERE id = ?`, f.a.ID, f.b.ID)
			},
			func(f *fixture) error { _, err := f.db.SubmissionByReceipt(ctx, f.hb); return err }},
		{"two records' receipts swapped",
			func(t *testing.T, f *fixture) {
				exec(t, f, `UPDATE submissions SET receipt_hash = ? WHERE id = ?`, []byte("x"), f.a.ID)
				exec(t, f, `UPDATE submissions SET receipt_hash = ? WHERE id = ?`, f.ha, f.b.ID)
				exec(t, f, `UPDATE submissions SET receipt_hash = ? WHERE id = ?`, f.hb, f.a.ID)
			},
			// The reporter of a must not be shown b's record.
			func(f *fixture) error { _, err := f.db.SubmissionByReceipt(ctx, f.ha); return err }},
		{"a record's kind changed",
			func(t *testing.T, f *fixture) {
				exec(t, f, `UPDATE submissions SET kind = 'support', status = 'received' WHERE id = ?`, f.a.ID)
			},
			func(f *fixture) error { _, err := f.db.SubmissionByReceipt(ctx, f.ha); return err }},
		{"content copied into a message",
			func(t *testing.T, f *fixture) {
				exec(t, f, `UPDATE messages SET body = (SELECT content FROM submissions WHERE id = ?) WHERE submission_id = ?`, f.a.ID, f.a.ID)
			},
			func(f *fixture) error { _, err := f.db.Messages(ctx, f.a); return err }},
		{"a record's photo copied over another record's",
			func(t *testing.T, f *fixture) {
				exec(t, f, `UPDATE photos SET data = (SELECT data FROM photos WHERE submission_id = ? ORDER BY id LIMIT 1)
					WHERE id = (SELECT min(id) FROM photos WHERE submission_id = ?)`, f.b.ID, f.a.ID)
			},
			func(f *fixture) error { _, err := f.db.Photos(ctx, f.a); return err }},
		{"two photos of one record swapped in order",
			func(t *testing.T, f *fixture) {
				exec(t, f, `UPDATE photos SET data = (SELECT data FROM photos WHERE submission_id = ? ORDER BY id DESC LIMIT 1)
					WHERE id = (SELECT min(id) FROM photos WHERE submission_id = ?)`, f.a.ID, f.a.ID)
			},
			func(f *fixture) error { _, err := f.db.Photos(ctx, f.a); return err }},
		{"a record's photo moved to another record",
			func(t *testing.T, f *fixture) {
				exec(t, f, `UPDATE photos SET submission_id = ? WHERE id = (SELECT min(id) FROM photos WHERE submission_id = ?)`, f.b.ID, f.a.ID)
			},
			func(f *fixture) error { _, err := f.db.Photos(ctx, f.b); return err }},
		{"a message moved to another record",
			func(t *testing.T, f *fixture) {
				exec(t, f, `UPDATE messages SET submission_id = ? WHERE id = (SELECT min(id) FROM messages WHERE submission_id = ?)`, f.b.ID, f.a.ID)
			},
			func(f *fixture) error { _, err := f.db.Messages(ctx, f.b); return err }},
		{"two records' contents swapped, read as a case",
			func(t *testing.T, f *fixture) {
				exec(t, f, `UPDATE submissions SET content = (SELECT content FROM submissions WHERE id = ?) WHERE id = ?`, f.b.ID, f.a.ID)
			},
			func(f *fixture) error { _, err := f.db.Case(ctx, f.a.ID, both); return err }},
		{"a record's kind changed, read as a case",
			func(t *testing.T, f *fixture) {
				exec(t, f, `UPDATE submissions SET kind = 'support', status = 'received' WHERE id = ?`, f.a.ID)
			},
			func(f *fixture) error { _, err := f.db.Case(ctx, f.a.ID, both); return err }},
		{"two notes of one record swapped",
			func(t *testing.T, f *fixture) {
				exec(t, f, `UPDATE notes SET body = (SELECT body FROM notes WHERE submission_id = ? ORDER BY id LIMIT 1)
					WHERE id = (SELECT max(id) FROM notes WHERE submission_id = ?)`, f.a.ID, f.a.ID)
			},
			func(f *fixture) error { _, err := f.db.Notes(ctx, f.a); return err }},
		{"a record's status note copied over another record's",
			func(t *testing.T, f *fixture) {
				exec(t, f, `UPDATE status_history SET note = (SELECT note FROM status_history WHERE submission_id = ?) WHERE submission_id = ?`, f.a.ID, f.b.ID)
			},
			func(f *fixture) error { _, err := f.db.History(ctx, f.b); return err }},
		{"two priority reasons of one record swapped",
			func(t *testing.T, f *fixture) {
				exec(t, f, `UPDATE priority_history SET reason = (SELECT reason FROM priority_history WHERE submission_id = ? ORDER BY id LIMIT 1)
					WHERE id = (SELECT max(id) FROM priority_history WHERE submission_id = ?)`, f.a.ID, f.a.ID)
			},
			func(f *fixture) error { _, err := f.db.PriorityHistory(ctx, f.a); return err }},
		{"a note copied into a status note's place",
			func(t *testing.T, f *fixture) {
				exec(t, f, `UPDATE status_history SET note = (SELECT body FROM notes WHERE submission_id = ? ORDER BY id LIMIT 1) WHERE submission_id = ?`, f.a.ID, f.a.ID)
			},
			func(f *fixture) error { _, err := f.db.History(ctx, f.a); return err }},
		{"two officers' second-factor secrets swapped",
			func(t *testing.T, f *fixture) {
				exec(t, f, `UPDATE officers SET totp_secret = (SELECT totp_secret FROM officers WHERE id = ?) WHERE id = ?`, f.oa.ID, f.ob.ID)
			},
			func(f *fixture) error { _, err := f.db.TOTPSecret(ctx, f.ob.ID); return err }},
		{"one message's body copied over another's of the same record",
			func(t *testing.T, f *fixture) {
				exec(t, f, `UPDATE messages SET body = (SELECT body FROM messages WHERE submission_id = ? ORDER BY id LIMIT 1)
					WHERE id = (SELECT max(id) FROM messages WHERE submission_id = ?)`, f.a.ID, f.a.ID)
			},
			func(f *fixture) error { _, err := f.db.Messages(ctx, f.a); return err }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := setUp(t)
			if err := tt.read(f); err != nil {
				t.Fatalf("before tampering: %v", err)
			}
			tt.tamper(t, f)
			if err := tt.read(f); !errors.Is(err, seal.ErrUnreadable) {
				t.Errorf("after tampering: err = %v, want ErrUnreadable", err)
			}
		})
	}
}

func testPing(t *testing.T, h Harness) {
	db := h.Open(t, Keys(t))
	for range 3 {
		if err := db.Ping(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}
