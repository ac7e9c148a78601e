package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/internal/seal"
)

var (
	both   = []formsvc.Kind{formsvc.KindTip, formsvc.KindSupport}
	police = []formsvc.Kind{formsvc.KindTip}
	social = []formsvc.Kind{formsvc.KindSupport}
)

func day(d int) time.Time { return time.Date(2026, 11, d, 3, 0, 0, 0, time.UTC) }

// support is a support request of day d with services.
func support(d int, services ...string) *formsvc.Submission {
	return &formsvc.Submission{Kind: formsvc.KindSupport, Status: formsvc.StatusReceived, Priority: formsvc.PriorityNormal,
		Services: services, CreatedAt: day(d), Content: formsvc.Content{Text: map[string]string{"need": fmt.Sprint("cần ", d)}}}
}

// tipOn is a tip of day d.
func tipOn(d int, text string) *formsvc.Submission {
	s := Tip(text)
	s.CreatedAt = day(d)
	return s
}

func create(t *testing.T, db Store, i int, s *formsvc.Submission) *formsvc.Submission {
	t.Helper()
	if err := db.CreateSubmission(context.Background(), s, Hash(i)); err != nil {
		t.Fatal(err)
	}
	return s
}

func refs(cs []formsvc.CaseSummary) string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Ref)
	}
	return strings.Join(out, " ")
}

// The inbox: high priority and open first, then overdue, then newest;
// filters narrow it and a role never sees the other kind.
func testInbox(t *testing.T, h Harness) {
	db := h.Open(t, Keys(t))
	ctx := context.Background()
	o := AddOfficer(t, db, "congan", formsvc.RolePolice)
	old := create(t, db, 1, tipOn(1, "cũ"))            // TB-0001: overdue
	high := create(t, db, 2, tipOn(25, "gấp"))         // TB-0002: high, open
	closed := create(t, db, 3, tipOn(26, "đóng"))      // TB-0003: high, closed
	newest := create(t, db, 4, tipOn(28, "mới"))       // TB-0004
	sup := create(t, db, 5, support(27, "job", "hiv")) // HT-0001
	for _, s := range []*formsvc.Submission{high, closed} {
		if err := db.SetPriority(ctx, s, formsvc.PriorityHigh, o.ID, "khẩn", s.CreatedAt); err != nil {
			t.Fatal(err)
		}
		s.Priority = formsvc.PriorityHigh
	}
	if err := db.ChangeStatus(ctx, closed, formsvc.StatusMove{To: formsvc.StatusClosed, Note: "xong", OfficerID: o.ID, At: day(27)}); err != nil {
		t.Fatal(err)
	}
	if err := db.Assign(ctx, newest, o.ID, day(28)); err != nil {
		t.Fatal(err)
	}
	overdueBefore := day(20)
	cases, total, err := db.Cases(ctx, formsvc.CaseFilter{Kinds: both}, overdueBefore)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := refs(cases), "TB-2026-0002 TB-2026-0001 TB-2026-0004 HT-2026-0001 TB-2026-0003"; got != want || total != 5 {
		t.Fatalf("inbox = %s (%d), want %s (5)", got, total, want)
	}
	byRef := map[string]formsvc.CaseSummary{}
	for _, c := range cases {
		byRef[c.Ref] = c
	}
	if c := byRef[old.Ref]; !c.Overdue || c.ID != old.ID || c.Kind != formsvc.KindTip || c.Category != "karaoke" || !c.CreatedAt.Equal(day(1)) {
		t.Errorf("overdue case = %+v", c)
	}
	if c := byRef[closed.Ref]; c.Overdue || c.Status != formsvc.StatusClosed || c.Priority != formsvc.PriorityHigh || !c.UpdatedAt.Equal(day(27)) {
		t.Errorf("closed case = %+v", c)
	}
	if c := byRef[newest.Ref]; c.AssignedTo != "congan" || c.Overdue {
		t.Errorf("assigned case = %+v", c)
	}
	// In a list, the services' order is not the one given (sqlite's
	// group_concat): compare them as a set.
	if c := byRef[sup.Ref]; fmt.Sprint(slices.Sorted(slices.Values(c.Services))) != "[hiv job]" || c.Category != "" {
		t.Errorf("support case = %+v", c)
	}
	for _, tt := range []struct {
		f    formsvc.CaseFilter
		want string
	}{
		{formsvc.CaseFilter{Kinds: police}, "TB-2026-0002 TB-2026-0001 TB-2026-0004 TB-2026-0003"},
		{formsvc.CaseFilter{Kinds: social}, "HT-2026-0001"},
		{formsvc.CaseFilter{Kinds: police, Kind: formsvc.KindSupport}, ""}, // not the role's kind
		{formsvc.CaseFilter{Kinds: nil}, ""},
		{formsvc.CaseFilter{Kinds: both, Kind: formsvc.KindSupport}, "HT-2026-0001"},
		{formsvc.CaseFilter{Kinds: both, Status: formsvc.StatusClosed}, "TB-2026-0003"},
		{formsvc.CaseFilter{Kinds: both, Priority: formsvc.PriorityHigh}, "TB-2026-0002 TB-2026-0003"},
		{formsvc.CaseFilter{Kinds: both, Code: "hiv"}, "HT-2026-0001"},
		{formsvc.CaseFilter{Kinds: both, Code: "karaoke"}, "TB-2026-0002 TB-2026-0001 TB-2026-0004 TB-2026-0003"},
		{formsvc.CaseFilter{Kinds: both, From: day(26), To: day(28)}, "HT-2026-0001 TB-2026-0003"},
		{formsvc.CaseFilter{Kinds: both, Offset: 1, Limit: 2}, "TB-2026-0001 TB-2026-0004"},
	} {
		cases, total, err := db.Cases(ctx, tt.f, overdueBefore)
		if err != nil {
			t.Fatal(err)
		}
		wantTotal := len(strings.Fields(tt.want))
		if tt.f.Limit > 0 {
			wantTotal = 5
		}
		if got := refs(cases); got != tt.want || total != wantTotal {
			t.Errorf("Cases(%+v) = %q (%d), want %q (%d)", tt.f, got, total, tt.want, wantTotal)
		}
	}
	counts, err := db.StatusCounts(ctx, police)
	if err != nil {
		t.Fatal(err)
	}
	if len(counts) != 1 || counts[formsvc.KindTip][formsvc.StatusReceived] != 3 || counts[formsvc.KindTip][formsvc.StatusClosed] != 1 {
		t.Errorf("StatusCounts(police) = %v", counts)
	}
	if counts, _ := db.StatusCounts(ctx, both); counts[formsvc.KindSupport][formsvc.StatusReceived] != 1 || len(counts) != 2 {
		t.Errorf("StatusCounts(both) = %v", counts)
	}
}

// Case and CaseByRef answer ENOTFOUND alike for none, a malformed
// reference and a kind the role may not see.
func testCase(t *testing.T, h Harness) {
	db := h.Open(t, Keys(t))
	ctx := context.Background()
	tip := create(t, db, 1, tipOn(2, "nội dung"))
	sup := create(t, db, 2, support(3, "legal_aid", "job"))
	got, err := db.Case(ctx, tip.ID, police)
	if err != nil {
		t.Fatal(err)
	}
	if got.Ref != "TB-2026-0001" || got.Content.Text["description"] != "nội dung" || got.Status != formsvc.StatusReceived ||
		!got.CreatedAt.Equal(day(2)) || !got.UpdatedAt.Equal(day(2)) || !got.FirstActionAt.IsZero() || !got.ClosedAt.IsZero() ||
		got.AssignedTo != 0 || got.Category != "karaoke" || got.Services != nil {
		t.Errorf("Case = %+v", got)
	}
	if got, err := db.CaseByRef(ctx, "HT-2026-0001", social); err != nil || got.ID != sup.ID ||
		fmt.Sprint(got.Services) != "[legal_aid job]" || got.Content.Text["need"] != "cần 3" {
		t.Errorf("CaseByRef(HT-2026-0001) = %+v, %v", got, err)
	}
	for name, err := range map[string]error{
		"Case of another kind":      second(db.Case(ctx, sup.ID, police)),
		"Case of none":              second(db.Case(ctx, sup.ID+tip.ID+100, both)),
		"CaseByRef of another kind": second(db.CaseByRef(ctx, "TB-2026-0001", social)),
		"CaseByRef of none":         second(db.CaseByRef(ctx, "TB-2026-0002", both)),
		"CaseByRef malformed":       second(db.CaseByRef(ctx, "TB-2026-x'; --", both)),
	} {
		if formsvc.ErrorCode(err) != formsvc.ENOTFOUND {
			t.Errorf("%s: error = %v, want ENOTFOUND", name, err)
		}
	}
}

func second[T any](_ T, err error) error { return err }

// A status change is guarded, recorded with its note, and to a referral
// status records the referral in the same transaction.
func testChangeStatus(t *testing.T, h Harness) {
	db := h.Open(t, Keys(t))
	ctx := context.Background()
	a := AddOfficer(t, db, "congan", formsvc.RolePolice)
	b := AddOfficer(t, db, "truongcongan", formsvc.RolePolice)
	s := create(t, db, 1, tipOn(2, "tin"))
	move := func(s *formsvc.Submission, m formsvc.StatusMove) error {
		t.Helper()
		err := db.ChangeStatus(ctx, s, m)
		if err == nil {
			s.Status = m.To
		}
		return err
	}
	for _, tt := range []struct {
		m    formsvc.StatusMove
		code string
	}{
		{formsvc.StatusMove{To: "nonsense", Note: "x", OfficerID: a.ID, At: day(3)}, formsvc.EINVALID},
		{formsvc.StatusMove{To: "contacted", Note: "x", OfficerID: a.ID, At: day(3)}, formsvc.EINVALID}, // support's
		{formsvc.StatusMove{To: "referred", Note: "x", OfficerID: a.ID, At: day(3)}, formsvc.EINVALID},
		{formsvc.StatusMove{To: "referred", Destination: "cdc_tinh", Note: "x", OfficerID: a.ID, At: day(3)}, formsvc.EINVALID}, // support's
		{formsvc.StatusMove{To: "verifying", Destination: "so_y_te", Note: "x", OfficerID: a.ID, At: day(3)}, formsvc.EINVALID},
	} {
		if err := db.ChangeStatus(ctx, s, tt.m); formsvc.ErrorCode(err) != tt.code {
			t.Errorf("ChangeStatus(%+v): error = %v, want %s", tt.m, err, tt.code)
		}
	}
	if err := move(s, formsvc.StatusMove{To: "verifying", Note: "đang xác minh", OfficerID: a.ID, At: day(3)}); err != nil {
		t.Fatal(err)
	}
	stale := *s
	stale.Status = formsvc.StatusReceived
	if err := db.ChangeStatus(ctx, &stale, formsvc.StatusMove{To: formsvc.StatusClosed, Note: "muộn", OfficerID: b.ID, At: day(4)}); formsvc.ErrorCode(err) != formsvc.ECONFLICT {
		t.Errorf("change from a status no longer stored: error = %v, want ECONFLICT", err)
	}
	if err := move(s, formsvc.StatusMove{To: "referred", Destination: "cong_an_tinh", Note: "chuyển tỉnh", OfficerID: b.ID, At: day(5)}); err != nil {
		t.Fatal(err)
	}
	if err := move(s, formsvc.StatusMove{To: formsvc.StatusClosed, Note: "đóng", OfficerID: a.ID, At: day(6)}); err != nil {
		t.Fatal(err)
	}
	got, err := db.Case(ctx, s.ID, both)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != formsvc.StatusClosed || !got.ClosedAt.Equal(day(6)) || !got.FirstActionAt.Equal(day(3)) || !got.UpdatedAt.Equal(day(6)) {
		t.Errorf("after closing: %+v", got)
	}
	// Reopened: closed_at goes.
	if err := move(s, formsvc.StatusMove{To: "verifying", Note: "mở lại", OfficerID: a.ID, At: day(7)}); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Case(ctx, s.ID, both); !got.ClosedAt.IsZero() || !got.FirstActionAt.Equal(day(3)) {
		t.Errorf("after reopening: closed %v, first action %v", got.ClosedAt, got.FirstActionAt)
	}
	hist, err := db.History(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, c := range hist {
		lines = append(lines, fmt.Sprintf("%s>%s %s %q %s", c.From, c.To, c.OfficerName, c.Note, c.At.Format("02")))
	}
	if got, want := strings.Join(lines, "; "), `received>verifying congan "đang xác minh" 03; verifying>referred truongcongan "chuyển tỉnh" 05; `+
		`referred>closed congan "đóng" 06; closed>verifying congan "mở lại" 07`; got != want {
		t.Errorf("History:\n got %s\nwant %s", got, want)
	}
	refs, err := db.Referrals(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if len(refs) != 1 || refs[0].Destination != "cong_an_tinh" || refs[0].OfficerName != "truongcongan" || !refs[0].At.Equal(day(5)) ||
		refs[0].Outcome != "" || !refs[0].OutcomeAt.IsZero() {
		t.Fatalf("Referrals = %+v", refs)
	}
	other := create(t, db, 2, tipOn(2, "khác"))
	if err := db.RecordOutcome(ctx, other, refs[0].ID, "accepted", a.ID, day(8)); formsvc.ErrorCode(err) != formsvc.ENOTFOUND {
		t.Errorf("outcome of another record's referral: error = %v, want ENOTFOUND", err)
	}
	if err := db.RecordOutcome(ctx, s, refs[0].ID, "nonsense", a.ID, day(8)); formsvc.ErrorCode(err) != formsvc.EINVALID {
		t.Errorf("an outcome not in the list: error = %v, want EINVALID", err)
	}
	if err := db.RecordOutcome(ctx, s, refs[0].ID, "accepted", a.ID, day(8)); err != nil {
		t.Fatal(err)
	}
	if refs, _ := db.Referrals(ctx, s); refs[0].Outcome != "accepted" || refs[0].OutcomeBy != "congan" || !refs[0].OutcomeAt.Equal(day(8)) {
		t.Errorf("after RecordOutcome: %+v", refs[0])
	}
	if h, _ := db.History(ctx, other); len(h) != 0 {
		t.Errorf("another record's history = %+v", h)
	}
}

// Officers racing to move one record from the status they both saw: one
// wins, the others get ECONFLICT, and the history has one row.
func testChangeStatusRace(t *testing.T, h Harness) {
	db := h.Open(t, Keys(t))
	ctx := context.Background()
	o := AddOfficer(t, db, "congan", formsvc.RolePolice)
	s := create(t, db, 1, tipOn(2, "tin"))
	const n = 12
	var won, conflicts atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := *s
			<-start
			to := formsvc.Status("verifying")
			if i%2 == 1 {
				to = formsvc.StatusClosed
			}
			err := db.ChangeStatus(ctx, &mine, formsvc.StatusMove{To: to, Note: fmt.Sprint(i), OfficerID: o.ID, At: day(3)})
			switch {
			case err == nil:
				won.Add(1)
			case formsvc.ErrorCode(err) == formsvc.ECONFLICT:
				conflicts.Add(1)
			default:
				t.Error(err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if won.Load() != 1 || conflicts.Load() != n-1 {
		t.Errorf("%d won, %d conflicts; want 1 and %d", won.Load(), conflicts.Load(), n-1)
	}
	if hist, _ := db.History(ctx, s); len(hist) != 1 {
		t.Errorf("%d history rows, want 1", len(hist))
	}
}

func testPriority(t *testing.T, h Harness) {
	db := h.Open(t, Keys(t))
	ctx := context.Background()
	o := AddOfficer(t, db, "congan", formsvc.RolePolice)
	s := create(t, db, 1, tipOn(2, "tin"))
	if err := db.SetPriority(ctx, s, formsvc.PriorityNormal, o.ID, "không đổi", day(3)); formsvc.ErrorCode(err) != formsvc.EINVALID {
		t.Errorf("to the same priority: error = %v, want EINVALID", err)
	}
	if err := db.SetPriority(ctx, s, "urgent", o.ID, "?", day(3)); formsvc.ErrorCode(err) != formsvc.EINVALID {
		t.Errorf("to no priority: error = %v, want EINVALID", err)
	}
	if err := db.SetPriority(ctx, s, formsvc.PriorityHigh, o.ID, "có trẻ em", day(3)); err != nil {
		t.Fatal(err)
	}
	if err := db.SetPriority(ctx, s, formsvc.PriorityHigh, o.ID, "lần nữa", day(4)); formsvc.ErrorCode(err) == formsvc.ECONFLICT {
		// s.Priority still says normal: the stored one is high.
	} else {
		t.Errorf("from a priority no longer stored: error = %v, want ECONFLICT", err)
	}
	s.Priority = formsvc.PriorityHigh
	if err := db.SetPriority(ctx, s, formsvc.PriorityNormal, o.ID, "đã an toàn", day(5)); err != nil {
		t.Fatal(err)
	}
	hist, err := db.PriorityHistory(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 2 || hist[0].From != formsvc.PriorityNormal || hist[0].To != formsvc.PriorityHigh || hist[0].Reason != "có trẻ em" ||
		hist[0].OfficerName != "congan" || !hist[0].At.Equal(day(3)) || hist[1].Reason != "đã an toàn" || hist[1].To != formsvc.PriorityNormal {
		t.Errorf("PriorityHistory = %+v", hist)
	}
	if got, _ := db.Case(ctx, s.ID, both); got.Priority != formsvc.PriorityNormal || !got.FirstActionAt.Equal(day(3)) || !got.UpdatedAt.Equal(day(5)) {
		t.Errorf("after: %+v", got)
	}
}

// Notes stay internal; a reply is a message the reporter sees; an
// assignment names the officer; each is an action on the record.
func testNotesRepliesAssign(t *testing.T, h Harness) {
	db := h.Open(t, Keys(t))
	ctx := context.Background()
	o := AddOfficer(t, db, "congan", formsvc.RolePolice)
	s := create(t, db, 1, tipOn(2, "tin"))
	for i, body := range []string{"gọi lại lúc 9 giờ", "đã gọi"} {
		if err := db.AddNote(ctx, s, o.ID, body, day(3+i)); err != nil {
			t.Fatal(err)
		}
	}
	notes, err := db.Notes(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if len(notes) != 2 || notes[0].Body != "gọi lại lúc 9 giờ" || notes[0].OfficerName != "congan" || !notes[0].At.Equal(day(3)) || notes[1].Body != "đã gọi" {
		t.Errorf("Notes = %+v", notes)
	}
	if err := db.Reply(ctx, s, o.ID, "Chúng tôi đã nhận tin", day(5)); err != nil {
		t.Fatal(err)
	}
	msgs, err := db.Messages(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || msgs[0].Author != formsvc.AuthorOfficer || msgs[0].OfficerID != o.ID || msgs[0].Body != "Chúng tôi đã nhận tin" ||
		!msgs[0].CreatedAt.Equal(day(5)) {
		t.Errorf("Messages after Reply = %+v", msgs)
	}
	if err := db.Assign(ctx, s, o.ID, day(6)); err != nil {
		t.Fatal(err)
	}
	got, _ := db.Case(ctx, s.ID, both)
	if got.AssignedTo != o.ID || !got.FirstActionAt.Equal(day(3)) || !got.UpdatedAt.Equal(day(6)) {
		t.Errorf("after Assign: %+v", got)
	}
	if err := db.Assign(ctx, s, 0, day(7)); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Case(ctx, s.ID, both); got.AssignedTo != 0 {
		t.Errorf("after Assign(0): assigned to %d", got.AssignedTo)
	}
}

// EachSubmission streams records oldest first, or newest first with a
// limit; a record that does not open goes to skip, or ends the stream.
func testEachSubmission(t *testing.T, h Harness) {
	db := h.Open(t, Keys(t))
	ctx := context.Background()
	o := AddOfficer(t, db, "congan", formsvc.RolePolice)
	var all []*formsvc.Submission
	for i := range 7 {
		s := tipOn(20-i, fmt.Sprint("tin ", i)) // created newest first
		if i == 3 {
			s = support(20-i, "hiv")
		}
		if i == 1 {
			s.Photos = []formsvc.Photo{{ContentType: "image/png", Data: []byte("a")}, {ContentType: "image/png", Data: []byte("b")}}
		}
		all = append(all, create(t, db, i, s))
	}
	if err := db.Assign(ctx, all[2], o.ID, day(21)); err != nil {
		t.Fatal(err)
	}
	stream := func(f formsvc.CaseFilter, skip func(*formsvc.Submission, error)) (string, []*formsvc.Submission, error) {
		var out []string
		var got []*formsvc.Submission
		err := db.EachSubmission(ctx, f, func(s *formsvc.Submission) error {
			out = append(out, s.Ref)
			got = append(got, s)
			return nil
		}, skip)
		return strings.Join(out, " "), got, err
	}
	order, got, err := stream(formsvc.CaseFilter{Kinds: both}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := "TB-2026-0006 TB-2026-0005 TB-2026-0004 HT-2026-0001 TB-2026-0003 TB-2026-0002 TB-2026-0001"; order != want {
		t.Errorf("oldest first: %s, want %s", order, want)
	}
	for _, s := range got {
		switch s.ID {
		case all[1].ID:
			if s.PhotoCount != 2 || s.Content.Text["description"] != "tin 1" {
				t.Errorf("record with photos: %+v", s)
			}
		case all[2].ID:
			if s.AssignedTo != o.ID || s.AssignedName != "congan" || !s.FirstActionAt.Equal(day(21)) {
				t.Errorf("assigned record: %+v", s)
			}
		case all[3].ID:
			if fmt.Sprint(s.Services) != "[hiv]" || s.Content.Text["need"] != "cần 17" || !s.CreatedAt.Equal(day(17)) {
				t.Errorf("support record: %+v", s)
			}
		}
	}
	if order, _, _ := stream(formsvc.CaseFilter{Kinds: police, Newest: true, Limit: 3}, nil); order != "TB-2026-0001 TB-2026-0002 TB-2026-0003" {
		t.Errorf("newest 3 tips: %s", order)
	}
	if order, _, _ := stream(formsvc.CaseFilter{Kinds: social, From: day(1), To: day(30)}, nil); order != "HT-2026-0001" {
		t.Errorf("support only: %s", order)
	}
	// fn's error ends the stream.
	stop := errors.New("đủ rồi")
	n := 0
	if err := db.EachSubmission(ctx, formsvc.CaseFilter{Kinds: both}, func(*formsvc.Submission) error {
		n++
		if n == 2 {
			return stop
		}
		return nil
	}, nil); !errors.Is(err, stop) || n != 2 {
		t.Errorf("fn's error: %v after %d records", err, n)
	}
	// A record whose content was moved from another does not open.
	if err := h.Exec(t, db, `UPDATE submissions SET content = (SELECT content FROM submissions WHERE id = ?) WHERE id = ?`, all[0].ID, all[4].ID); err != nil {
		t.Fatal(err)
	}
	var skipped []string
	order, _, err = stream(formsvc.CaseFilter{Kinds: both}, func(s *formsvc.Submission, err error) {
		if !errors.Is(err, seal.ErrUnreadable) || s.Content.Text != nil || s.Ref == "" {
			t.Errorf("skipped %+v: %v", s, err)
		}
		skipped = append(skipped, s.Ref)
	})
	if err != nil || fmt.Sprint(skipped) != "[TB-2026-0004]" || strings.Contains(order, "TB-2026-0004") || len(strings.Fields(order)) != 6 {
		t.Errorf("with skip: %s, skipped %v, %v", order, skipped, err)
	}
	if _, _, err := stream(formsvc.CaseFilter{Kinds: both}, nil); !errors.Is(err, seal.ErrUnreadable) {
		t.Errorf("without skip: error = %v, want ErrUnreadable", err)
	}
}

// EachFacts streams the counting fields, in clear, oldest first.
func testEachFacts(t *testing.T, h Harness) {
	db := h.Open(t, Keys(t))
	ctx := context.Background()
	o := AddOfficer(t, db, "xahoi", formsvc.RoleSocial)
	s := create(t, db, 1, support(2, "job", "hiv"))
	create(t, db, 2, tipOn(1, "tin"))
	for _, m := range []formsvc.StatusMove{
		{To: "contacted", Note: "a", At: day(3)},
		{To: "referred", Destination: "cdc_tinh", Note: "b", At: day(4)},
		{To: "in_progress", Note: "c", At: day(5)},
		{To: "referred", Destination: "tram_y_te", Note: "d", At: day(6)},
		{To: "referred", Destination: "cdc_tinh", Note: "e", At: day(6)}, // referred twice there
		{To: formsvc.StatusClosed, Note: "f", At: day(7)},
	} {
		m.OfficerID = o.ID
		if m.To == s.Status { // referred → referred is a move too
			m.Note += "!"
		}
		if err := db.ChangeStatus(ctx, s, m); err != nil {
			t.Fatal(err)
		}
		s.Status = m.To
	}
	var facts []formsvc.Facts
	if err := db.EachFacts(ctx, formsvc.CaseFilter{Kinds: both}, func(x formsvc.Facts) error {
		facts = append(facts, x)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(facts) != 2 || facts[0].Kind != formsvc.KindTip || facts[0].Category != "karaoke" || facts[0].Reached != nil ||
		!facts[0].FirstActionAt.IsZero() || !facts[0].ClosedAt.IsZero() || facts[0].Referrals != nil {
		t.Fatalf("facts = %+v", facts)
	}
	x := facts[1]
	reached := make([]string, len(x.Reached))
	for i, st := range x.Reached {
		reached[i] = string(st)
	}
	slices.Sort(reached)
	slices.Sort(x.Referrals)
	slices.Sort(x.Services)
	if x.Status != formsvc.StatusClosed || fmt.Sprint(x.Services) != "[hiv job]" || !x.CreatedAt.Equal(day(2)) ||
		!x.FirstActionAt.Equal(day(3)) || !x.ClosedAt.Equal(day(7)) || fmt.Sprint(reached) != "[closed contacted in_progress referred]" ||
		fmt.Sprint(x.Referrals) != "[cdc_tinh tram_y_te]" || x.Priority != formsvc.PriorityNormal {
		t.Errorf("support facts = %+v (reached %v)", x, reached)
	}
	var n int
	if err := db.EachFacts(ctx, formsvc.CaseFilter{Kinds: police}, func(formsvc.Facts) error { n++; return nil }); err != nil || n != 1 {
		t.Errorf("police facts: %d, %v", n, err)
	}
}
