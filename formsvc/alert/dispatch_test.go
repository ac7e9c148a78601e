package alert_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/alert"
)

// A tip reaches the police officer and the admin once the delay has run,
// as one mail each with the count and the console's address, and nothing
// of what was written; social affairs hears nothing of it.
func TestTipReachesPoliceWithinTheDelayWithoutItsContent(t *testing.T) {
	e := newEnv(t)
	receipt := e.tip()
	ref := e.submission(receipt).Ref

	e.clock.add(delay - time.Second)
	if r := e.run(); r.Queued != 0 || len(e.smtp.Mails()) != 0 {
		t.Fatalf("before the delay: queued %d, mails %d; want none yet", r.Queued, len(e.smtp.Mails()))
	}
	e.clock.add(time.Second)
	if r := e.run(); r.Queued != 3 || r.Sent != 3 { // two mails and the webhook
		t.Errorf("report %+v; want 3 alerts queued and sent", r)
	}
	got := byRecipient(t, e.smtp.Take())
	if len(got["congan@xa.example"]) != 1 || len(got["quantri@xa.example"]) != 1 || len(got["xahoi@xa.example"]) != 0 {
		t.Fatalf("mail went to %v; want one each to congan and quantri, none to xahoi", keys(got))
	}
	police := got["congan@xa.example"][0]
	if s := police.Subject(); s != alert.Subject(formsvc.AlertNew) {
		t.Errorf("Subject = %q", s)
	}
	body := police.Body()
	for _, want := range []string{"Tin báo: 1", consoleURL} {
		if !strings.Contains(body, want) {
			t.Errorf("police mail lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "Yêu cầu hỗ trợ") {
		t.Errorf("police mail names the other kind:\n%s", body)
	}
	if admin := got["quantri@xa.example"][0].Body(); !strings.Contains(admin, "Tin báo: 1") || !strings.Contains(admin, "Yêu cầu hỗ trợ: 0") {
		t.Errorf("admin mail:\n%s", admin)
	}
	for _, ms := range got {
		for _, m := range ms {
			noSecrets(t, m, receipt, ref, strings.ReplaceAll(receipt, "-", ""))
		}
	}
	ev := e.hook.take()
	if len(ev) != 1 || ev[0].Event.Event != "new_cases" || ev[0].Kind != formsvc.KindTip || ev[0].Count != 1 {
		t.Fatalf("webhook events %+v; want one new_cases for tip, count 1", ev)
	}
	if at, err := time.Parse(time.RFC3339, ev[0].At); err != nil || !at.Equal(e.clock.now().Truncate(time.Second)) {
		t.Errorf("webhook at = %q (%v), want %s", ev[0].At, err, e.clock.now())
	}

	// Sent once: the next rounds send nothing more.
	e.clock.add(delay)
	e.run()
	if n := len(e.smtp.Mails()); n != 0 {
		t.Errorf("%d more mails with nothing new", n)
	}
	// Each sent alert is in the audit log: type, channel, recipient; no count.
	entries, _, err := e.db.AuditLog(context.Background(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	sent := map[string]string{}
	for _, a := range entries {
		if a.Action == formsvc.AuditAlertSent && strings.HasPrefix(a.Detail, "hồ sơ mới") {
			sent[a.Target] = a.Detail
			if a.Username != formsvc.AlertUser || strings.ContainsAny(a.Detail, "0123456789") {
				t.Errorf("audit entry %+v: want the dispatcher, and no count", a)
			}
		}
	}
	if sent["congan"] != "hồ sơ mới · email" || sent["quantri"] != "hồ sơ mới · email" || sent["webhook (Tin báo)"] != "hồ sơ mới · webhook" {
		t.Errorf("audit of sent alerts: %v", sent)
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// A support request reaches social affairs and the admin, never the police.
func TestSupportRequestReachesOnlySocialAndAdmin(t *testing.T) {
	e := newEnv(t)
	e.support()
	e.clock.add(delay)
	e.run()
	got := byRecipient(t, e.smtp.Take())
	if len(got) != 2 || len(got["xahoi@xa.example"]) != 1 || len(got["quantri@xa.example"]) != 1 {
		t.Fatalf("mail went to %v; want xahoi and quantri only", keys(got))
	}
	if b := got["xahoi@xa.example"][0].Body(); !strings.Contains(b, "Yêu cầu hỗ trợ: 1") || strings.Contains(b, "Tin báo") {
		t.Errorf("social's mail:\n%s", b)
	}
	for _, ms := range got {
		noSecrets(t, ms[0])
	}
	if ev := e.hook.take(); len(ev) != 1 || ev[0].Kind != formsvc.KindSupport || ev[0].Count != 1 {
		t.Errorf("webhook events %+v", ev)
	}
}

// A flood of junk makes at most one alert per officer per delay window,
// and together the alerts count all of it.
func TestFloodMakesOneAlertPerOfficerPerWindow(t *testing.T) {
	e := newEnv(t)
	var sentAt []time.Time
	total := 0
	take := func() {
		for _, m := range byRecipient(t, e.smtp.Take())["congan@xa.example"] {
			sentAt = append(sentAt, e.clock.now())
			total += count(t, m.Body(), "- Tin báo: ")
		}
	}
	// 40 tips in a burst, the dispatcher looking every minute meanwhile.
	for i := range 40 {
		e.tip()
		if i%10 == 9 {
			e.clock.add(time.Minute)
			e.run()
			take()
		}
	}
	if len(sentAt) != 0 {
		t.Fatalf("an alert went out %d minutes into the flood, before the delay", 4)
	}
	e.clock.add(delay)
	e.run()
	take()
	if len(sentAt) != 1 || total != 40 {
		t.Fatalf("after the burst: %d alerts counting %d tips; want one counting 40", len(sentAt), total)
	}
	// Then a tip every 30 seconds for 20 minutes, the dispatcher looking
	// every 30 seconds.
	for range 40 {
		e.tip()
		e.clock.add(30 * time.Second)
		e.run()
		take()
	}
	e.clock.add(delay)
	e.run()
	take()
	if total != 80 {
		t.Errorf("the alerts counted %d tips; want all 80", total)
	}
	if len(sentAt) > 1+5 {
		t.Errorf("%d alerts for 25 minutes of flood; want at most one per 5 minutes", len(sentAt))
	}
	for i := 1; i < len(sentAt); i++ {
		if gap := sentAt[i].Sub(sentAt[i-1]); gap < delay {
			t.Errorf("alerts %d and %d only %s apart; want at least %s", i-1, i, gap, delay)
		}
	}
}

// count reads the number after prefix in a mail's body ("1.234" too).
func count(t *testing.T, body, prefix string) int {
	t.Helper()
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, prefix); ok {
			n := 0
			for _, c := range v {
				switch {
				case c >= '0' && c <= '9':
					n = n*10 + int(c-'0')
				case c == '.':
				default:
					return n
				}
			}
			return n
		}
	}
	t.Fatalf("no %q in:\n%s", prefix, body)
	return 0
}
