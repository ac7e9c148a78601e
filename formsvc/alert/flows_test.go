package alert_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/alert"
	"github.com/hoaphong/phongchongmaidam/formsvc/alert/alerttest"
	"github.com/hoaphong/phongchongmaidam/internal/teststore"
)

// When the reporter writes again, the officer the record is assigned to
// hears of it, and no one else by mail.
func TestReplyAlertReachesTheAssignedOfficer(t *testing.T) {
	e := newEnv(t)
	second := e.addOfficer("congan2", "police", "congan2@xa.example")
	receipt := e.tip()
	e.clock.add(delay)
	e.run()
	e.smtp.Take()
	e.hook.take()

	s := e.submission(receipt)
	if err := e.db.Assign(context.Background(), s, second, e.clock.now()); err != nil {
		t.Fatal(err)
	}
	e.post("/api/v1/follow-up/messages", `{"receipt":"`+receipt+`","message":"Tối nay họ chuyển người sang nhà nghỉ khác"}`)
	e.post("/api/v1/follow-up/messages", `{"receipt":"`+receipt+`","message":"Xe biển số 29A-12345"}`)
	e.clock.add(delay)
	e.run()
	got := byRecipient(t, e.smtp.Take())
	if len(got) != 1 || len(got["congan2@xa.example"]) != 1 {
		t.Fatalf("reply alerts went to %v; want congan2 only", keys(got))
	}
	m := got["congan2@xa.example"][0]
	if m.Subject() != alert.Subject(formsvc.AlertReply) || count(t, m.Body(), "- Tin báo: ") != 2 {
		t.Errorf("reply alert %q:\n%s", m.Subject(), m.Body())
	}
	noSecrets(t, m, "chuyển người", "29A", "12345", s.Ref)
	if ev := e.hook.take(); len(ev) != 1 || ev[0].Event.Event != "reply" || ev[0].Count != 2 {
		t.Errorf("webhook events %+v; want one reply event counting 2", ev)
	}
}

// A record that goes without action for --overdue-after is alerted once:
// to its officer if assigned, otherwise to every officer of its kind.
func TestOverdueOncePerRecord(t *testing.T) {
	e := newEnv(t)
	second := e.addOfficer("congan2", "police", "congan2@xa.example")
	a := e.tip()
	e.tip()
	e.support()
	e.clock.add(delay)
	e.run()
	e.smtp.Take()
	e.hook.take()
	if err := e.db.Assign(context.Background(), e.submission(a), second, e.clock.now()); err != nil {
		t.Fatal(err)
	}

	e.clock.set(start.Add(3*24*time.Hour + time.Minute))
	e.run()
	got := byRecipient(t, ofType(e.smtp.Take(), formsvc.AlertOverdue))
	want := map[string]string{
		"congan@xa.example":  "- Tin báo: 1",        // the unassigned tip
		"congan2@xa.example": "- Tin báo: 1",        // the same: unassigned, to every police officer
		"quantri@xa.example": "- Yêu cầu hỗ trợ: 1", // unassigned tip and support request
		"xahoi@xa.example":   "- Yêu cầu hỗ trợ: 1",
	}
	if len(got) != 4 {
		t.Fatalf("overdue alerts to %v; want congan, congan2, quantri, xahoi", keys(got))
	}
	for to, line := range want {
		if len(got[to]) != 1 || got[to][0].Subject() != alert.Subject(formsvc.AlertOverdue) || !strings.Contains(got[to][0].Body(), line) {
			t.Errorf("overdue alert to %s: %d mails; want one with %q", to, len(got[to]), line)
			continue
		}
		noSecrets(t, got[to][0])
		if !strings.Contains(got[to][0].Body(), "3 ngày") {
			t.Errorf("overdue alert does not say after how long:\n%s", got[to][0].Body())
		}
	}
	if n := count(t, got["quantri@xa.example"][0].Body(), "- Tin báo: "); n != 1 {
		t.Errorf("admin told of %d overdue tips; want the unassigned one", n)
	}
	// The assigned tip was acted on (assigned) later: it becomes overdue
	// a little later, and goes to its officer only.
	e.clock.add(delay)
	e.run()
	got = byRecipient(t, ofType(e.smtp.Take(), formsvc.AlertOverdue))
	if len(got) != 1 || len(got["congan2@xa.example"]) != 1 {
		t.Fatalf("the assigned record's overdue alert went to %v; want congan2", keys(got))
	}
	// Never again for the same records.
	for range 3 {
		e.clock.add(delay)
		e.run()
	}
	if n := len(ofType(e.smtp.Take(), formsvc.AlertOverdue)); n != 0 {
		t.Errorf("%d more overdue mails for the same records", n)
	}
}

// The digest goes out at --digest-at in Vietnam, once a day, to whoever
// wants it, with only the officer's kinds, even on a day with nothing.
func TestDailyDigest(t *testing.T) {
	e := newEnv(t)
	e.tip()
	e.tip()
	e.support()
	e.clock.add(delay)
	e.run()
	e.smtp.Take()
	e.hook.take()
	off := e.officers["xahoi"]
	wants := formsvc.AllAlerts()
	wants[formsvc.AlertDigest] = false
	if err := e.db.SetAlertWants(context.Background(), off, wants); err != nil {
		t.Fatal(err)
	}

	// 2026-12-01 07:29 in Vietnam: not yet.
	e.clock.set(time.Date(2026, 12, 1, 0, 29, 0, 0, time.UTC))
	e.run()
	if n := len(e.smtp.Take()); n != 0 {
		t.Fatalf("%d mails before the digest time", n)
	}
	e.clock.set(time.Date(2026, 12, 1, 0, 30, 0, 0, time.UTC))
	e.run()
	got := byRecipient(t, e.smtp.Take())
	if len(got) != 2 || len(got["congan@xa.example"]) != 1 || len(got["quantri@xa.example"]) != 1 {
		t.Fatalf("digests to %v; want congan and quantri (xahoi turned it off)", keys(got))
	}
	police := got["congan@xa.example"][0]
	body := police.Body()
	for _, want := range []string{"01/12/2026 07:30", "Tin báo\n- Đang mở: 2 (Mới nhận: 2; Đang xác minh: 0;", "- Nhận trong 24 giờ qua: 2", "- Quá hạn: 0"} {
		if !strings.Contains(body, want) {
			t.Errorf("police digest lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "Yêu cầu hỗ trợ") {
		t.Errorf("police digest names support requests:\n%s", body)
	}
	admin := got["quantri@xa.example"][0].Body()
	if !strings.Contains(admin, "Yêu cầu hỗ trợ\n- Đang mở: 1") {
		t.Errorf("admin digest:\n%s", admin)
	}
	noSecrets(t, police)
	if len(police.Data) != len(got["quantri@xa.example"][0].Data)-len("quantri")+len("congan") {
		t.Errorf("digest sizes: police %d, admin %d; want the same but for the address", len(police.Data), len(got["quantri@xa.example"][0].Data))
	}
	ev := e.hook.take()
	if len(ev) != 2 || ev[0].Event.Event != "digest" || ev[0].Count+ev[1].Count != 3 {
		t.Errorf("webhook digests %+v; want one per kind counting the open records", ev)
	}

	// Once a day: not again at 18:00, again the next morning with nothing new.
	e.clock.set(time.Date(2026, 12, 1, 11, 0, 0, 0, time.UTC))
	e.run()
	if n := len(e.smtp.Take()); n != 0 {
		t.Errorf("%d mails later the same day", n)
	}
	e.clock.set(time.Date(2026, 12, 2, 0, 30, 0, 0, time.UTC))
	e.run()
	got = byRecipient(t, e.smtp.Take())
	if len(got["congan@xa.example"]) != 1 || !strings.Contains(got["congan@xa.example"][0].Body(), "- Nhận trong 24 giờ qua: 0") {
		t.Errorf("next day's police digest: %d mails", len(got["congan@xa.example"]))
	}
}

// Two mails of one type with different counts have the same size, through
// the real SMTP server; so do two webhook bodies.
func TestMailsOfOneTypeHaveOneSize(t *testing.T) {
	e := newEnv(t)
	e.tip()
	e.clock.add(delay)
	e.run()
	one := byRecipient(t, e.smtp.Take())["congan@xa.example"][0]
	hookOne := e.hook.take()[0]
	for range 123 {
		e.tip()
	}
	e.clock.add(delay)
	e.run()
	many := byRecipient(t, e.smtp.Take())["congan@xa.example"][0]
	hookMany := e.hook.take()[0]
	if count(t, one.Body(), "- Tin báo: ") != 1 || count(t, many.Body(), "- Tin báo: ") != 123 {
		t.Fatalf("counts: %q / %q", one.Body()[:80], many.Body()[:80])
	}
	if len(one.Data) != len(many.Data) {
		t.Errorf("mail with 1 tip is %d bytes, with 123 tips %d; want the same", len(one.Data), len(many.Data))
	}
	if len(one.Body()) != alert.EmailBodySize || len(many.Body()) != alert.EmailBodySize {
		t.Errorf("bodies %d and %d bytes; want %d", len(one.Body()), len(many.Body()), alert.EmailBodySize)
	}
	if hookOne.Count != 1 || hookMany.Count != 123 || hookOne.Size != hookMany.Size || hookOne.Size != alert.WebhookBodySize {
		t.Errorf("webhook bodies: %+v and %+v; want the same size, %d", hookOne, hookMany, alert.WebhookBodySize)
	}
}

// The outbox is in the database: alerts made while the mail server is down
// survive a restart of the service and go out once the server is up.
func TestOutboxSurvivesRestartWhileMailServerIsDown(t *testing.T) {
	e := newEnv(t)
	addr := e.smtp.Addr
	e.smtp.Close()
	e.tip()
	e.clock.add(delay)
	r := e.run()
	if r.Queued != 3 || r.Sent != 1 || r.Failed != 2 { // the webhook is up
		t.Fatalf("with the mail server down: %+v; want 3 queued, the webhook sent, 2 mails failed", r)
	}
	e.reopen() // the service restarts; the mail server is still down
	e.clock.add(time.Minute + 15*time.Second)
	if r := e.run(); r.Failed != 2 {
		t.Fatalf("after the restart: %+v; want the 2 mails tried again and failed", r)
	}
	// The mail server comes back on its address.
	back := alerttest.Start(t, alerttest.Options{Addr: addr})
	e.clock.add(time.Minute)
	if r := e.run(); r.Sent != 0 {
		t.Fatalf("sent %d before the back-off ran out", r.Sent)
	}
	e.clock.add(2 * time.Minute)
	if r := e.run(); r.Sent != 2 {
		t.Fatalf("once the server was up: %+v; want the 2 mails sent", r)
	}
	got := byRecipient(t, back.Take())
	if len(got["congan@xa.example"]) != 1 || len(got["quantri@xa.example"]) != 1 {
		t.Fatalf("delivered to %v", keys(got))
	}
	if n := count(t, got["congan@xa.example"][0].Body(), "- Tin báo: "); n != 1 {
		t.Errorf("count %d", n)
	}
	st, err := e.db.AlertStatus(context.Background(), start)
	if err != nil || st.Pending != 0 || st.Dropped != 0 {
		t.Errorf("outbox after delivery: %+v, %v; want nothing left", st, err)
	}
}

// Retries back off; after a day of failures an alert is dropped, the
// audit log and the outbox's status say so.
func TestRetriesBackOffThenDropAfterADay(t *testing.T) {
	e := newEnv(t, func(c *alert.Config) { c.Webhook = nil })
	ln, err := net.Listen("tcp", "127.0.0.1:0") // a port where no mail server answers
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close()
	e.cfg.Mailer = e.mailer("smtp://" + dead)
	e.restart()
	if err := e.db.SetAlertEmail(context.Background(), e.officers["quantri"], ""); err != nil {
		t.Fatal(err) // one mail, so that each failed round is one attempt
	}
	e.tip()
	e.clock.add(delay)
	created := e.clock.now()
	// Each round runs at the moment the outbox row says it is due.
	row := func() (state string, attempts int, next time.Time) {
		rows, err := e.db.Query(t, `SELECT state, attempts, next_at FROM alert_outbox WHERE type = 'new'`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var at teststore.Time
		if !rows.Next() {
			t.Fatal("no outbox row")
		}
		if err := rows.Scan(&state, &attempts, &at); err != nil {
			t.Fatal(err)
		}
		return state, attempts, at.Time
	}
	var gaps []time.Duration
	for {
		e.run()
		state, attempts, next := row()
		if state == formsvc.OutboxDropped {
			if attempts != len(gaps)+1 {
				t.Errorf("%d attempts recorded, %d made", attempts, len(gaps)+1)
			}
			break
		}
		if state != formsvc.OutboxPending || attempts != len(gaps)+1 || len(gaps) > 100 {
			t.Fatalf("after %d rounds: %s, %d attempts", len(gaps)+1, state, attempts)
		}
		gaps = append(gaps, next.Sub(e.clock.now()))
		e.clock.set(next)
	}
	// 1, 2, 4 … minutes, then hourly, each ±20 %; the last one cut at the day.
	for i, g := range gaps[:len(gaps)-1] {
		want := time.Hour
		if i < 6 { // shifting further would overflow
			want = time.Minute << i
		}
		if g < want*8/10-time.Millisecond || g > want*12/10+time.Millisecond {
			t.Errorf("wait %d: %s; want %s ± 20 %%", i+1, g, want)
		}
	}
	if d := e.clock.now().Sub(created); d < alert.DropAfter || d > alert.DropAfter+time.Second {
		t.Errorf("dropped %s after it was made; want after a day", d)
	}
	if len(gaps) < 20 || len(gaps) > 35 {
		t.Errorf("%d attempts in a day", len(gaps)+1)
	}
	st, err := e.db.AlertStatus(context.Background(), created)
	if err != nil || st.Dropped != 1 || st.LastError == "" {
		t.Errorf("status %+v, %v; want 1 dropped with the reason", st, err)
	}
	entries, _, _ := e.db.AuditLog(context.Background(), 0, 100)
	dropped := 0
	for _, a := range entries {
		if a.Action == formsvc.AuditAlertDropped {
			dropped++
		}
	}
	if dropped != 1 {
		t.Errorf("%d drops in the audit log; want 1", dropped)
	}
}

// Officers choose: without an address, with the type turned off, or
// disabled, an officer gets nothing; an alert queued for an officer who then
// removed the address is cancelled, and that is audited.
func TestOfficersChooseTheirAlerts(t *testing.T) {
	e := newEnv(t, func(c *alert.Config) { c.Webhook = nil })
	e.addOfficer("congan2", "police", "")
	c3 := e.addOfficer("congan3", "police", "congan3@xa.example")
	c4 := e.addOfficer("congan4", "police", "congan4@xa.example")
	c5 := e.addOfficer("congan5", "police", "congan5@xa.example")
	e.run()
	ctx := context.Background()
	w := formsvc.AllAlerts()
	w[formsvc.AlertNew] = false
	if err := e.db.SetAlertWants(ctx, c3, w); err != nil {
		t.Fatal(err)
	}
	if err := e.db.SetDisabled(ctx, c4, true); err != nil {
		t.Fatal(err)
	}
	e.tip()
	e.clock.add(delay)
	// The mail server is down for this round: the alerts wait in the outbox.
	addr := e.smtp.Addr
	e.smtp.Close()
	e.run()
	if err := e.db.SetAlertEmail(ctx, c5, ""); err != nil {
		t.Fatal(err)
	}
	back := alerttest.Start(t, alerttest.Options{Addr: addr})
	e.clock.add(time.Hour)
	r := e.run()
	got := byRecipient(t, back.Take())
	if len(got) != 2 || len(got["congan@xa.example"]) != 1 || len(got["quantri@xa.example"]) != 1 {
		t.Errorf("mail went to %v; want congan and quantri only", keys(got))
	}
	if r.Cancelled != 1 {
		t.Errorf("report %+v; want congan5's alert cancelled", r)
	}
	entries, _, _ := e.db.AuditLog(ctx, 0, 100)
	found := false
	for _, a := range entries {
		found = found || (a.Action == formsvc.AuditAlertCancelled && a.Target == "congan5" && strings.Contains(a.Detail, "chưa có email"))
	}
	if !found {
		t.Error("the cancelled alert is not in the audit log")
	}
}

// ofType keeps the mails of one alert type.
func ofType(mails []alerttest.Mail, typ formsvc.AlertType) []alerttest.Mail {
	var out []alerttest.Mail
	for _, m := range mails {
		if m.Subject() == alert.Subject(typ) {
			out = append(out, m)
		}
	}
	return out
}
