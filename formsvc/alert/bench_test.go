package alert_test

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/alert"
	"github.com/hoaphong/phongchongmaidam/formsvc/alert/alerttest"
	"github.com/hoaphong/phongchongmaidam/internal/teststore"
)

// benchEnv is a database of n records (a third of them support requests),
// six officers with addresses, a mail server and the webhook, and a
// dispatcher whose cursors are at the newest record.
func benchEnv(b *testing.B, n int) (*teststore.DB, *alert.Dispatcher, *clock, func(int)) {
	b.Helper()
	keys, err := formsvc.DeriveKeys(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		b.Fatal(err)
	}
	db := teststore.Open(b, keys)
	ctx := context.Background()
	clk := &clock{t: start}
	var seq atomic.Int64
	add := func(count int) {
		var wg sync.WaitGroup
		var next atomic.Int64
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for next.Add(1) <= int64(count) {
					i := seq.Add(1)
					s := &formsvc.Submission{Kind: formsvc.KindTip, Status: formsvc.StatusReceived, Priority: formsvc.PriorityNormal,
						Category: "karaoke", CreatedAt: clk.now().Add(-time.Duration(count) * time.Second),
						Content: formsvc.Content{Text: map[string]string{"description": "Nội dung thử cho phép đo"}}}
					if i%3 == 0 {
						s.Kind, s.Category, s.Services = formsvc.KindSupport, "", []string{"hiv"}
					}
					h := formsvc.NewReceiptHasher(bytes.Repeat([]byte{1}, 32)).Hash(formsvc.Receipt(fmt.Sprintf("%016d", i)))
					if err := db.CreateSubmission(ctx, s, h); err != nil {
						b.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
	}
	add(n)
	for i, role := range []string{"admin", "police", "police", "social", "social", "admin"} {
		o := &formsvc.Officer{Username: fmt.Sprintf("canbo%d", i), Role: formsvc.Role(role)}
		if err := db.CreateOfficer(ctx, o, "x"); err != nil {
			b.Fatal(err)
		}
		if err := db.SetAlertEmail(ctx, o.ID, o.Username+"@xa.example"); err != nil {
			b.Fatal(err)
		}
	}
	smtp := alerttest.Start(b, alerttest.Options{})
	m, err := alert.NewMailer(alert.MailConfig{URL: "smtp://" + smtp.Addr, From: "canh-bao@xa.example"})
	if err != nil {
		b.Fatal(err)
	}
	w, err := alert.NewWebhook(newHook(b).srv.URL, []byte(hookSecret), nil)
	if err != nil {
		b.Fatal(err)
	}
	d := alert.New(alert.Config{Store: db, Mailer: m, Webhook: w, Delay: delay, DigestAt: alert.DefaultDigestAt,
		Text: alert.Text{ConsoleURL: consoleURL}, Now: clk.now})
	if _, err := d.RunOnce(ctx); err != nil { // cursors, the first overdue search, the digest
		b.Fatal(err)
	}
	return db, d, clk, add
}

// BenchmarkRunOnce is what the dispatcher costs the service: a round with
// nothing due (what Run does every 30 seconds), a round that also searches
// for overdue records (once per --alert-delay), and a round after a burst
// of 100 records that sends six mails and a webhook event.
func BenchmarkRunOnce(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{1_000, 20_000} {
		b.Run(fmt.Sprintf("records=%d/idle", n), func(b *testing.B) {
			_, d, _, _ := benchEnv(b, n)
			for b.Loop() {
				if r, err := d.RunOnce(ctx); err != nil || r.Queued != 0 {
					b.Fatal(r, err)
				}
			}
		})
		b.Run(fmt.Sprintf("records=%d/overdue-search", n), func(b *testing.B) {
			_, d, clk, _ := benchEnv(b, n)
			for b.Loop() {
				clk.add(delay)
				if _, err := d.RunOnce(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("records=%d/burst-of-100", n), func(b *testing.B) {
			_, d, clk, add := benchEnv(b, n)
			for b.Loop() {
				b.StopTimer()
				add(100)
				clk.add(delay)
				b.StartTimer()
				if r, err := d.RunOnce(ctx); err != nil || r.Sent < 7 {
					b.Fatal(r, err)
				}
			}
		})
	}
}
