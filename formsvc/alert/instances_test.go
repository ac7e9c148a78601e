package alert_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/alert"
	"github.com/hoaphong/phongchongmaidam/formsvc/alert/alerttest"
	"github.com/hoaphong/phongchongmaidam/internal/teststore"
)

// Two instances of the service on one database (two store handles, as
// two processes have) run their dispatchers at the same moments while
// tips and support requests come in, with a real mail server that is
// down for a while: every alert is delivered once, not once per
// instance. The officers' mails and the webhook's events count each
// record once, an officer gets at most one mail per delay window while
// the server is up, and each outbox row was sent once, with one audit
// entry.
func TestTwoInstancesDeliverEachAlertOnce(t *testing.T) {
	teststore.SkipOnSQLite(t, "a SQLite database serves one instance, so one dispatcher")
	e := newEnv(t)
	other, err := e.db.Reopen(t, e.keys)
	if err != nil {
		t.Fatal(err)
	}
	cfg := e.cfg
	cfg.Store = other
	dispatchers := []*alert.Dispatcher{e.d, alert.New(cfg)}
	// What newEnv's first round sent (the day's digest) is not counted.
	rows0 := e.db.Int(t, `SELECT count(*) FROM alert_outbox`)
	emails0 := e.db.Int(t, `SELECT count(*) FROM alert_outbox WHERE channel = 'email'`)

	type mail struct {
		at   time.Time
		body string
	}
	mails := map[string][]mail{} // by recipient
	srv := e.smtp
	var events []event
	// both runs a round of each dispatcher at once, then takes what they
	// sent.
	both := func() {
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, d := range dispatchers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				if _, err := d.RunOnce(context.Background()); err != nil {
					t.Errorf("dispatcher %d at %s: %v", i, e.clock.now().Format(time.RFC3339), err)
				}
			}()
		}
		close(start)
		wg.Wait()
		for to, ms := range byRecipient(t, srv.Take()) {
			for _, m := range ms {
				if s := m.Subject(); s != alert.Subject(formsvc.AlertNew) {
					t.Errorf("mail to %s: Subject = %q, want the new records' alert", to, s)
				}
				mails[to] = append(mails[to], mail{e.clock.now(), m.Body()})
			}
		}
		events = append(events, e.hook.take()...)
	}

	// A tip a minute for 20 minutes, a support request every 4, both
	// dispatchers looking every minute; then until everything is due.
	tips, support := 0, 0
	for minute := range 20 {
		e.tip()
		tips++
		if minute%4 == 0 {
			e.support()
			support++
		}
		e.clock.add(time.Minute)
		both()
	}
	for range 3 {
		e.clock.add(delay)
		both()
	}
	// Each officer had at most one mail per window.
	for to, ms := range mails {
		for i := 1; i < len(ms); i++ {
			if gap := ms[i].at.Sub(ms[i-1].at); gap < delay {
				t.Errorf("mails %d and %d to %s only %s apart; want at least %s", i-1, i, to, gap, delay)
			}
		}
	}

	// The mail server goes down for 20 minutes while tips come in: the
	// mails wait in the outbox, tried again after a back-off. Once it is
	// back, both dispatchers find the same mails due in the same rounds,
	// with nothing new to plan: each is still sent once.
	addr := srv.Addr
	srv.Close()
	for minute := range 20 {
		if minute%5 == 0 {
			e.tip()
			tips++
		}
		e.clock.add(time.Minute)
		both()
	}
	srv = alerttest.Start(t, alerttest.Options{Addr: addr})
	for range 60 {
		e.clock.add(time.Minute)
		both()
	}

	sum := func(to, prefix string) int {
		n := 0
		for _, m := range mails[to] {
			n += count(t, m.body, prefix)
		}
		return n
	}
	for _, c := range []struct {
		to, prefix string
		want       int
	}{
		{"congan@xa.example", "- Tin báo: ", tips},
		{"quantri@xa.example", "- Tin báo: ", tips},
		{"quantri@xa.example", "- Yêu cầu hỗ trợ: ", support},
		{"xahoi@xa.example", "- Yêu cầu hỗ trợ: ", support},
	} {
		if got := sum(c.to, c.prefix); got != c.want {
			t.Errorf("mails to %s count %q %d, want %d", c.to, c.prefix, got, c.want)
		}
	}
	counted := map[formsvc.Kind]int{}
	for _, ev := range events {
		counted[ev.Kind] += ev.Count
	}
	if counted[formsvc.KindTip] != tips || counted[formsvc.KindSupport] != support {
		t.Errorf("webhook events counted %v, want %d tips and %d support requests", counted, tips, support)
	}

	n := 0
	for _, ms := range mails {
		n += len(ms)
	}
	rows := e.db.Int(t, `SELECT count(*) FROM alert_outbox`)
	sent := e.db.Int(t, `SELECT count(*) FROM alert_outbox WHERE state = 'sent'`)
	emails := e.db.Int(t, `SELECT count(*) FROM alert_outbox WHERE channel = 'email'`)
	audited := e.db.Int(t, `SELECT count(*) FROM audit_log WHERE action = ?`, formsvc.AuditAlertSent)
	rows, emails = rows-rows0, emails-emails0
	if sent != rows+rows0 || audited != rows+rows0 || emails != n || rows-emails != len(events) {
		t.Errorf("outbox: %d rows before and %d new, %d sent, %d audit entries, %d new mails and %d new webhook rows; delivered %d mails and %d events",
			rows0, rows, sent, audited, emails, rows-emails, n, len(events))
	}
	if n == 0 || len(events) == 0 {
		t.Fatal("nothing was delivered")
	}
	t.Logf("%d mails and %d webhook events for %d tips and %d support requests", n, len(events), tips, support)
}
