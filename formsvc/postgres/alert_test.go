package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/postgres"
	"github.com/hoaphong/phongchongmaidam/formsvc/storetest"
	"github.com/hoaphong/phongchongmaidam/internal/pgtest"
)

var alertNow = time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)

// Two instances on one database run the dispatcher's store calls at once,
// round after round: each reads the state, plans an alert over it and
// commits it, then claims what is due and records it sent. Every plan
// that committed made one alert, and every alert was handed out and sent
// once, with one audit entry.
func TestTwoInstancesMakeAndSendEachAlertOnce(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	keys := storetest.Keys(t)
	dbs := []*postgres.DB{open(t, dsn, keys), open(t, dsn, keys)}
	ctx := context.Background()
	const recipient = "webhook:tip"

	var mu sync.Mutex
	claims := map[int64]int{} // outbox id → times handed out
	planned := map[int]int{}  // generation → plans committed for it
	stale := 0
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for i, db := range dbs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := range 40 {
				st, err := db.AlertState(ctx)
				if err != nil {
					errs <- err
					return
				}
				old, exists := st.Cursors[recipient]
				next := formsvc.AlertCursor{Recipient: recipient, NewAfter: old.NewAfter + 1, NewAt: alertNow}
				gen := int(next.NewAfter)
				err = db.CommitAlertPlan(ctx, formsvc.AlertPlan{
					Cursors: []formsvc.AlertCursorChange{{Old: old, New: next, Exists: exists}},
					Outbox: []formsvc.OutboxAlert{{Channel: formsvc.ChannelWebhook, Kind: formsvc.KindTip, Type: formsvc.AlertNew,
						CreatedAt: alertNow, Data: formsvc.AlertData{Counts: []formsvc.AlertCount{{Kind: formsvc.KindTip, N: gen}}, At: alertNow}}},
				})
				switch {
				case errors.Is(err, formsvc.ErrAlertStale):
					mu.Lock()
					stale++
					mu.Unlock()
				case err != nil:
					errs <- fmt.Errorf("instance %d, round %d: %w", i, round, err)
					return
				default:
					mu.Lock()
					planned[gen]++
					mu.Unlock()
				}
				if err := deliver(ctx, db, 3, &mu, claims); err != nil && !errors.Is(err, errNothingDue) {
					errs <- err
					return
				}
			}
			for { // what is left
				if err := deliver(ctx, db, 3, &mu, claims); errors.Is(err, errNothingDue) {
					return
				} else if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(planned) < 40 {
		t.Errorf("only %d plans committed in 80 rounds", len(planned))
	}
	for gen, n := range planned {
		if n != 1 {
			t.Errorf("generation %d planned %d times", gen, n)
		}
	}
	t.Logf("%d plans committed, %d stale", len(planned), stale)
	if len(claims) != len(planned) {
		t.Errorf("%d alerts handed out, want %d (one per plan)", len(claims), len(planned))
	}
	for id, n := range claims {
		if n != 1 {
			t.Errorf("alert %d handed out %d times", id, n)
		}
	}
	c := conn(t, dsn)
	var sent, rows, audited int
	if err := c.QueryRow(ctx, `SELECT count(*) FILTER (WHERE state = 'sent'), count(*) FROM alert_outbox`).Scan(&sent, &rows); err != nil {
		t.Fatal(err)
	}
	if err := c.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action = $1`, formsvc.AuditAlertSent).Scan(&audited); err != nil {
		t.Fatal(err)
	}
	if rows != len(planned) || sent != rows || audited != rows {
		t.Errorf("outbox: %d rows, %d sent, %d audit entries; want %d of each", rows, sent, audited, len(planned))
	}
}

var errNothingDue = errors.New("nothing due")

// deliver is the dispatcher's sending half: claim, "send", record.
func deliver(ctx context.Context, db *postgres.DB, limit int, mu *sync.Mutex, claims map[int64]int) error {
	due, err := db.DueAlerts(ctx, alertNow, limit)
	if err != nil {
		return err
	}
	if len(due) == 0 {
		return errNothingDue
	}
	var results []formsvc.AlertResult
	mu.Lock()
	for _, a := range due {
		claims[a.ID]++
		results = append(results, formsvc.AlertResult{ID: a.ID, State: formsvc.OutboxSent, Attempts: a.Attempts + 1, At: alertNow,
			Audit: &formsvc.AuditEntry{At: alertNow, Username: formsvc.AlertUser, Action: formsvc.AuditAlertSent, Target: "webhook (Tin báo)"}})
	}
	mu.Unlock()
	return db.FinishAlerts(ctx, results)
}

// An alert claimed by an instance that then dies is handed out again
// once the lease has run out, not before; the dead instance's late
// result does not count it twice.
func TestClaimedAlertLease(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	keys := storetest.Keys(t)
	a, b := open(t, dsn, keys), open(t, dsn, keys)
	ctx := context.Background()
	if err := a.CommitAlertPlan(ctx, formsvc.AlertPlan{Outbox: []formsvc.OutboxAlert{{Channel: formsvc.ChannelWebhook,
		Kind: formsvc.KindTip, Type: formsvc.AlertNew, CreatedAt: alertNow, Data: formsvc.AlertData{At: alertNow}}}}); err != nil {
		t.Fatal(err)
	}
	due, err := a.DueAlerts(ctx, alertNow, 10)
	if err != nil || len(due) != 1 {
		t.Fatalf("a's claim: %+v, %v", due, err)
	}
	for _, at := range []time.Time{alertNow, alertNow.Add(postgres.AlertLease - time.Second)} {
		if got, err := b.DueAlerts(ctx, at, 10); err != nil || len(got) != 0 {
			t.Errorf("b at %s, within a's lease: %+v, %v", at, got, err)
		}
	}
	if s, err := b.AlertStatus(ctx, alertNow); err != nil || s.Pending != 1 {
		t.Errorf("a claimed alert is still pending: %+v, %v", s, err)
	}
	later := alertNow.Add(postgres.AlertLease)
	got, err := b.DueAlerts(ctx, later, 10)
	if err != nil || len(got) != 1 || got[0].ID != due[0].ID {
		t.Fatalf("b after the lease: %+v, %v; want a's alert", got, err)
	}
	sent := func(at time.Time) []formsvc.AlertResult {
		return []formsvc.AlertResult{{ID: due[0].ID, State: formsvc.OutboxSent, Attempts: 1, At: at,
			Audit: &formsvc.AuditEntry{At: at, Username: formsvc.AlertUser, Action: formsvc.AuditAlertSent}}}
	}
	if err := b.FinishAlerts(ctx, sent(later)); err != nil {
		t.Fatal(err)
	}
	if err := a.FinishAlerts(ctx, sent(later.Add(time.Second))); err != nil {
		t.Fatal(err)
	}
	var audited int
	if err := conn(t, dsn).QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action = $1`, formsvc.AuditAlertSent).Scan(&audited); err != nil {
		t.Fatal(err)
	}
	if audited != 1 {
		t.Errorf("%d audit entries of the alert sent, want 1", audited)
	}
}

// Ids come from a sequence, so a record can commit after one with a
// greater id: the count of new records waits for a transaction that took
// an id, and then counts its record, which a cursor moved to the greater
// id would otherwise have passed over for good.
func TestNewRecordsCountedDespiteCommitOrder(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	db := open(t, dsn, storetest.Keys(t))
	ctx := context.Background()
	c := conn(t, dsn)
	tx, err := c.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	// As the store takes an id (nextID): the shared lock, then the id.
	var early int64
	if err := tx.QueryRow(ctx, `SELECT nextval(pg_get_serial_sequence('submissions', 'id'))
		FROM (SELECT pg_advisory_xact_lock_shared(1718579821, 2)) l`).Scan(&early); err != nil {
		t.Fatal(err)
	}
	s := storetest.Tip("sau")
	done := make(chan error, 1)
	go func() { done <- db.CreateSubmission(ctx, s, storetest.Hash(1)) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("an intake waited for another intake's transaction")
	}
	if s.ID <= early {
		t.Fatalf("later id %d not above %d", s.ID, early)
	}
	counted := make(chan formsvc.Since, 1)
	go func() {
		got, err := db.NewSubmissions(ctx, 0, []formsvc.Kind{formsvc.KindTip})
		if err != nil {
			t.Error(err)
		}
		counted <- got
	}()
	select {
	case got := <-counted:
		t.Fatalf("counted %+v while an id below the newest was still open", got)
	case <-time.After(300 * time.Millisecond):
	}
	if _, err := tx.Exec(ctx, `INSERT INTO submissions (id, kind, ref_year, ref_seq, receipt_hash, status, priority, created_at, updated_at, content)
		VALUES ($1, 'tip', 2026, 999, '\x01', 'received', 'normal', $2, $2, '\x00')`, early, alertNow); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	got := <-counted
	if got.MaxID != s.ID || got.Counts[formsvc.KindTip] != 2 {
		t.Errorf("NewSubmissions = %+v; want both records, up to id %d", got, s.ID)
	}
}
