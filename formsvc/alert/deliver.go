package alert

import (
	"context"
	"time"

	"github.com/cenkalti/backoff/v4"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// Back-off between attempts: 1 minute, doubling up to an hour, ±20 %.
const (
	firstRetry = time.Minute
	maxRetry   = time.Hour
)

// retryAfter is how long to wait after the n-th failed attempt (n ≥ 1).
func retryAfter(n int) time.Duration {
	b := backoff.NewExponentialBackOff(
		backoff.WithInitialInterval(firstRetry), backoff.WithMultiplier(2), backoff.WithRandomizationFactor(0.2),
		backoff.WithMaxInterval(maxRetry), backoff.WithMaxElapsedTime(0))
	var d time.Duration
	for range max(n, 1) {
		d = b.NextBackOff()
	}
	return d
}

// deliver sends the alerts due at now and records each result.
func (d *Dispatcher) deliver(ctx context.Context, now time.Time, r *Report) error {
	due, err := d.store.DueAlerts(ctx, now, batch)
	if err != nil {
		return err
	}
	if len(due) == batch {
		r.Next = now // more are waiting
	}
	var emails []Email
	var mailed []formsvc.OutboxAlert
	var results []formsvc.AlertResult
	finish := func(a formsvc.OutboxAlert, sendErr error) {
		res := d.result(a, now, sendErr)
		switch res.State {
		case formsvc.OutboxSent:
			r.Sent++
		case formsvc.OutboxPending:
			r.Failed++
			d.log.Warn("chưa gửi được thông báo, sẽ thử lại", "loại", a.Type, "kênh", a.Channel,
				"lần", res.Attempts, "thử_lại_lúc", res.NextAt.Format(time.RFC3339), "err", sendErr)
		case formsvc.OutboxDropped:
			r.Dropped++
			d.log.Error("bỏ thông báo sau một ngày gửi không được", "loại", a.Type, "kênh", a.Channel, "err", sendErr)
		case formsvc.OutboxCancelled:
			r.Cancelled++
		}
		results = append(results, res)
	}
	for _, a := range due {
		if !d.stillWanted(a) {
			finish(a, nil)
			continue
		}
		switch a.Channel {
		case formsvc.ChannelEmail:
			emails = append(emails, Email{To: a.Recipient.Email, Subject: Subject(a.Type), Body: d.cfg.Text.Body(a.Type, a.Data)})
			mailed = append(mailed, a)
		case formsvc.ChannelWebhook:
			finish(a, d.cfg.Webhook.Send(ctx, WebhookBody(a.Type, a.Kind, a.Data)))
		}
	}
	if len(emails) > 0 {
		for i, sendErr := range d.cfg.Mailer.Send(ctx, emails) {
			finish(mailed[i], sendErr)
		}
	}
	// One transaction for the round's results and their audit entries.
	return d.store.FinishAlerts(ctx, results)
}

// stillWanted reports whether a queued alert still has somewhere to go:
// its channel is configured and, by email, the officer is active, has an
// address and still wants the type.
func (d *Dispatcher) stillWanted(a formsvc.OutboxAlert) bool {
	switch a.Channel {
	case formsvc.ChannelEmail:
		o := a.Recipient
		return d.cfg.Mailer != nil && o.OfficerID != 0 && !o.Disabled && o.Email != "" && o.Want(a.Type)
	case formsvc.ChannelWebhook:
		return d.cfg.Webhook != nil
	}
	return false
}

// result is how an attempt ended; sendErr nil after a send is success, and
// without one (stillWanted false) a cancellation.
func (d *Dispatcher) result(a formsvc.OutboxAlert, now time.Time, sendErr error) formsvc.AlertResult {
	target := a.Recipient.Username
	if a.Channel == formsvc.ChannelWebhook {
		target = "webhook (" + d.cfg.Text.kind(a.Kind).Label + ")"
	}
	entry := func(action, detail string) *formsvc.AuditEntry {
		return &formsvc.AuditEntry{At: now, Username: formsvc.AlertUser, Action: action, Target: target,
			OfficerID: 0, Detail: formsvc.AlertTypeShort[a.Type] + " · " + a.Channel + detail}
	}
	res := formsvc.AlertResult{ID: a.ID, At: now, Attempts: a.Attempts}
	switch {
	case sendErr == nil && !d.stillWanted(a):
		res.State = formsvc.OutboxCancelled
		res.Audit = entry(formsvc.AuditAlertCancelled, " · "+cancelReason(a, d))
	case sendErr == nil:
		res.Attempts++
		res.State = formsvc.OutboxSent
		res.Audit = entry(formsvc.AuditAlertSent, "")
	default:
		res.Attempts++
		res.Error = sendErr.Error()
		deadline := a.CreatedAt.Add(DropAfter)
		if !now.Before(deadline) {
			res.State = formsvc.OutboxDropped
			res.Audit = entry(formsvc.AuditAlertDropped, " · "+formsvc.Clip(res.Error, 200))
			break
		}
		res.State = formsvc.OutboxPending
		res.NextAt = now.Add(retryAfter(res.Attempts))
		if res.NextAt.After(deadline) {
			res.NextAt = deadline // the last attempt, then it is dropped
		}
	}
	return res
}

func cancelReason(a formsvc.OutboxAlert, d *Dispatcher) string {
	o := a.Recipient
	switch {
	case a.Channel == formsvc.ChannelWebhook && d.cfg.Webhook == nil:
		return "không còn cấu hình webhook"
	case a.Channel == formsvc.ChannelWebhook:
		return "không rõ"
	case d.cfg.Mailer == nil:
		return "không còn cấu hình máy chủ thư"
	case o.OfficerID == 0:
		return "không còn tài khoản"
	case o.Disabled:
		return "tài khoản đã khóa"
	case o.Email == "":
		return "chưa có email"
	default:
		return "cán bộ đã tắt loại thông báo này"
	}
}
