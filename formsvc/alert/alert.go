// Package alert tells officers that there is work, without saying what: new
// records of the kinds they work, reporters' new messages on records
// assigned to them, records that became overdue, and a daily digest, by
// email (SMTP, wneessen/go-mail) and a signed webhook.
//
// Intake is not touched: a submission or a reporter's message only inserts
// its own row, as before. The dispatcher, a goroutine of `formsvc serve`,
// counts what is new since its cursors (row ids) on the read connections,
// then commits in one transaction the alerts it decided, as rows of a
// durable outbox, with the cursors moved past what they count. It then
// sends what is due; a failure is retried with exponential back-off
// (cenkalti/backoff), and an alert that failed for a day is dropped, which
// the dashboard shows. A restart loses nothing: the outbox is in the
// database. Every alert sent, dropped or cancelled is in the audit log
// (type, recipient officer, result), never its counts.
//
// RunOnce is the whole of one round, at the time the Config's clock says:
// the tests call it, with a clock of their own, instead of waiting.
package alert

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// Defaults.
const (
	DefaultDelay    = 5 * time.Minute
	DefaultDigestAt = 7*time.Hour + 30*time.Minute
	// DropAfter is how long an alert is retried before it is dropped.
	DropAfter = 24 * time.Hour
	// maxPoll is the longest Run waits before it looks for new records.
	maxPoll = 30 * time.Second
	// batch is how many due alerts one round sends at most.
	batch = 100
)

// Config holds the dispatcher's dependencies and settings.
type Config struct {
	Store   formsvc.AlertService
	Mailer  *Mailer  // nil: no email
	Webhook *Webhook // nil: no webhook
	// Delay gathers new records (and reporters' messages) into one alert
	// per recipient: an alert goes out Delay after the first thing it
	// counts, and at most one per recipient per Delay.
	Delay time.Duration
	// DigestAt is the digest's time of day in Vietnam (Asia/Ho_Chi_Minh),
	// as a duration after midnight: 0 is midnight (DefaultDigestAt is
	// 07:30).
	DigestAt time.Duration
	// OverdueAfter: an open record with no action for this long is overdue.
	OverdueAfter time.Duration
	Text         Text // the console's address for the mails
	Now          func() time.Time
	Logger       *slog.Logger
}

// Dispatcher plans and sends alerts.
type Dispatcher struct {
	cfg   Config
	store formsvc.AlertService
	log   *slog.Logger
	now   func() time.Time
}

// New makes a dispatcher; zero settings take the defaults.
func New(cfg Config) *Dispatcher {
	if cfg.Delay <= 0 {
		cfg.Delay = DefaultDelay
	}
	if cfg.OverdueAfter <= 0 {
		cfg.OverdueAfter = 3 * 24 * time.Hour
	}
	if cfg.Text.OverdueAfter == 0 {
		cfg.Text.OverdueAfter = cfg.OverdueAfter
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Dispatcher{cfg: cfg, store: cfg.Store, log: cfg.Logger, now: cfg.Now}
}

// Report is what one round did.
type Report struct {
	Queued    int       // alerts added to the outbox
	Sent      int       // alerts delivered
	Failed    int       // attempts that failed (to be retried)
	Dropped   int       // alerts given up after a day of failures
	Cancelled int       // alerts whose recipient no longer has an address or wants them
	Next      time.Time // when something is next due (Run waits at most until then)
}

// RunOnce plans the alerts due now, commits them to the outbox, and sends
// every alert due now. It is safe to call at any time; a round that finds
// nothing due does nothing.
func (d *Dispatcher) RunOnce(ctx context.Context) (Report, error) {
	now := d.now()
	var r Report
	plan, next, err := d.plan(ctx, now)
	if err != nil {
		return r, err
	}
	r.Next = next
	if !plan.empty() {
		if err := d.store.CommitAlertPlan(ctx, plan.AlertPlan); err != nil {
			if errors.Is(err, formsvc.ErrAlertStale) {
				d.log.Warn("trạng thái thông báo vừa bị thay đổi ở nơi khác: sẽ tính lại ở lần sau")
				return r, nil
			}
			return r, err
		}
		r.Queued = len(plan.Outbox)
	}
	if err := d.deliver(ctx, now, &r); err != nil {
		return r, err
	}
	return r, nil
}

// poll is how long Run waits at most between rounds: new records are not
// announced to it, it looks for them.
func (d *Dispatcher) poll() time.Duration {
	return max(time.Second, min(maxPoll, d.cfg.Delay/2))
}

// Run runs rounds until ctx ends: after each, it waits until the next
// thing due or the poll interval, whichever comes first.
func (d *Dispatcher) Run(ctx context.Context) {
	for {
		r, err := d.RunOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		wait := d.poll()
		if err != nil {
			d.log.Error("gửi thông báo", "err", err)
		} else if !r.Next.IsZero() {
			wait = min(wait, max(r.Next.Sub(d.now()), 0))
		}
		if r.Sent+r.Failed+r.Dropped > 0 {
			d.log.Info("thông báo cho cán bộ", "đã_gửi", r.Sent, "lỗi", r.Failed, "bỏ", r.Dropped)
		}
		t := time.NewTimer(max(wait, 100*time.Millisecond))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}
