package postgres_test

import (
	"context"
	"sync"
	"testing"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/postgres"
	"github.com/hoaphong/phongchongmaidam/formsvc/storetest"
	"github.com/hoaphong/phongchongmaidam/internal/pgtest"
)

// Officers working through two instances: a code used through one is
// spent on the other, and of two status changes from one status, one
// through each instance, one wins.
func TestTwoInstancesShareTheOfficersSide(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	a, b := open(t, dsn, storetest.Keys(t)), open(t, dsn, storetest.Keys(t))
	o := storetest.AddOfficer(t, a, "congan", formsvc.RolePolice)
	if err := a.SetTOTP(ctx, o.ID, "JBSWY3DPEHPK3PXP", true, nil); err != nil {
		t.Fatal(err)
	}
	if s, err := b.TOTPSecret(ctx, o.ID); err != nil || s != "JBSWY3DPEHPK3PXP" {
		t.Fatalf("secret through b = %q, %v", s, err)
	}
	if ok, err := a.UseTOTPStep(ctx, o.ID, 100); !ok || err != nil {
		t.Fatalf("step through a: %v, %v", ok, err)
	}
	if ok, err := b.UseTOTPStep(ctx, o.ID, 100); ok || err != nil {
		t.Errorf("the same step through b: %v, %v; want refused", ok, err)
	}
	s := storetest.Tip("tin")
	if err := a.CreateSubmission(ctx, s, storetest.Hash(1)); err != nil {
		t.Fatal(err)
	}
	for round := range 10 {
		seen := *s
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, db := range []*postgres.DB{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				mine := seen
				errs[i] = db.ChangeStatus(ctx, &mine, formsvc.StatusMove{To: []formsvc.Status{"verifying", formsvc.StatusClosed}[i],
					Note: "x", OfficerID: o.ID, At: s.CreatedAt})
			}()
		}
		wg.Wait()
		won := 0
		for i, err := range errs {
			switch {
			case err == nil:
				won++
				s.Status = []formsvc.Status{"verifying", formsvc.StatusClosed}[i]
			case formsvc.ErrorCode(err) != formsvc.ECONFLICT:
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if won != 1 {
			t.Fatalf("round %d: %d of two racing changes won, want 1", round, won)
		}
		// Back to received for the next round.
		if err := a.ChangeStatus(ctx, s, formsvc.StatusMove{To: formsvc.StatusReceived, Note: "lại", OfficerID: o.ID, At: s.CreatedAt}); err != nil {
			t.Fatal(err)
		}
		s.Status = formsvc.StatusReceived
	}
	if h, err := b.History(ctx, s); err != nil || len(h) != 20 {
		t.Errorf("history through b: %d rows, %v; want 20", len(h), err)
	}
}
