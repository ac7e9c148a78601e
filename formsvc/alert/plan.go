package alert

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// recipient is who gets alerts: an officer by email, or the webhook for
// one kind.
type recipient struct {
	key     string // alert_cursors' key
	channel string
	officer formsvc.OfficerAlerts // email
	kind    formsvc.Kind          // webhook
	kinds   []formsvc.Kind        // what it is told about
	// replies counts only messages on records assigned to this officer
	// (0: every record of its kinds, for the webhook).
	replies int64
	on      bool // the channel is configured
}

// wants reports whether alerts of type t go to r now. Whoever does not
// want one still has its cursors moved, so that turning alerts on later
// does not bring back what happened meanwhile.
func (r recipient) wants(t formsvc.AlertType) bool {
	if !r.on {
		return false
	}
	if r.channel == formsvc.ChannelWebhook {
		return true
	}
	o := r.officer
	return !o.Disabled && o.Email != "" && o.Want(t) && len(o.Role.Kinds()) > 0
}

func (r recipient) outbox(t formsvc.AlertType, d formsvc.AlertData, now time.Time) formsvc.OutboxAlert {
	return formsvc.OutboxAlert{Channel: r.channel, OfficerID: r.officer.OfficerID, Kind: r.kind, Type: t, Data: d, CreatedAt: now}
}

func (d *Dispatcher) recipients(officers []formsvc.OfficerAlerts) []recipient {
	var out []recipient
	for _, o := range officers {
		out = append(out, recipient{key: "officer:" + strconv.FormatInt(o.OfficerID, 10), channel: formsvc.ChannelEmail,
			officer: o, kinds: o.Role.Kinds(), replies: o.OfficerID, on: d.cfg.Mailer != nil})
	}
	for _, k := range d.cfg.Text.spec().KindList() {
		out = append(out, recipient{key: "webhook:" + string(k), channel: formsvc.ChannelWebhook,
			kind: k, kinds: []formsvc.Kind{k}, on: d.cfg.Webhook != nil})
	}
	return out
}

type plan struct{ formsvc.AlertPlan }

func (p *plan) empty() bool {
	return len(p.Cursors) == 0 && len(p.Outbox) == 0 && len(p.Overdue) == 0 && p.DigestDay == "" && p.OverdueAt.IsZero()
}

// counts lists the non-zero counts of kinds, in the order of kinds; nil if
// all are zero.
func counts(kinds []formsvc.Kind, m map[formsvc.Kind]int) []formsvc.AlertCount {
	var out []formsvc.AlertCount
	total := 0
	for _, k := range kinds {
		out = append(out, formsvc.AlertCount{Kind: k, N: m[k]})
		total += m[k]
	}
	if total == 0 {
		return nil
	}
	return out
}

// later returns the later of two times.
func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// plan decides the alerts due at now. next is when something not yet due
// will be (zero: nothing known).
func (d *Dispatcher) plan(ctx context.Context, now time.Time) (plan, time.Time, error) {
	var p plan
	var next time.Time
	soon := func(t time.Time) {
		if next.IsZero() || t.Before(next) {
			next = t
		}
	}
	officers, err := d.store.OfficerAlerts(ctx)
	if err != nil {
		return p, next, err
	}
	state, err := d.store.AlertState(ctx)
	if err != nil {
		return p, next, err
	}
	subMax, msgMax, err := d.store.MaxIDs(ctx)
	if err != nil {
		return p, next, err
	}
	rcpts := d.recipients(officers)
	delay := d.cfg.Delay

	// New records and reporters' messages, per recipient: gathered from
	// the first one for Delay, then one alert; at most one per Delay.
	for _, r := range rcpts {
		cur, exists := state.Cursors[r.key]
		if !exists { // a new recipient starts from now
			p.Cursors = append(p.Cursors, formsvc.AlertCursorChange{
				New: formsvc.AlertCursor{Recipient: r.key, NewAfter: subMax, ReplyAfter: msgMax}})
			continue
		}
		nc := cur
		type stream struct {
			t     formsvc.AlertType
			after *int64
			at    *time.Time
			max   int64
			count func() (formsvc.Since, error)
		}
		for _, s := range []stream{
			{formsvc.AlertNew, &nc.NewAfter, &nc.NewAt, subMax, func() (formsvc.Since, error) {
				return d.store.NewSubmissions(ctx, cur.NewAfter, r.kinds)
			}},
			{formsvc.AlertReply, &nc.ReplyAfter, &nc.ReplyAt, msgMax, func() (formsvc.Since, error) {
				return d.store.ReporterMessages(ctx, cur.ReplyAfter, r.kinds, r.replies)
			}},
		} {
			if !r.wants(s.t) {
				*s.after = max(*s.after, s.max)
				continue
			}
			since, err := s.count()
			if err != nil {
				return p, next, err
			}
			c := counts(r.kinds, since.Counts)
			if c == nil {
				*s.after = since.MaxID
				continue
			}
			due := later(since.Oldest.Add(delay), s.at.Add(delay))
			if now.Before(due) {
				soon(due)
				continue
			}
			p.Outbox = append(p.Outbox, r.outbox(s.t, formsvc.AlertData{Counts: c, At: now}, now))
			*s.after, *s.at = since.MaxID, now
		}
		if nc != cur {
			p.Cursors = append(p.Cursors, formsvc.AlertCursorChange{Old: cur, New: nc, Exists: true})
		}
	}

	// Records that became overdue, once per record, looked for at most
	// once per Delay: to the officer it is assigned to, or, unassigned,
	// to every officer of its kind.
	if due := state.OverdueAt.Add(delay); state.OverdueAt.IsZero() || !now.Before(due) {
		cases, err := d.store.NewlyOverdue(ctx, now.Add(-d.cfg.OverdueAfter))
		if err != nil {
			return p, next, err
		}
		p.OverdueAt, p.OldOverdue = now, state.OverdueAt
		for _, c := range cases {
			p.Overdue = append(p.Overdue, c.ID)
		}
		for _, r := range rcpts {
			if !r.wants(formsvc.AlertOverdue) {
				continue
			}
			m := map[formsvc.Kind]int{}
			for _, c := range cases {
				if !slices.Contains(r.kinds, c.Kind) {
					continue
				}
				if r.channel == formsvc.ChannelEmail && c.AssignedTo != 0 && c.AssignedTo != r.officer.OfficerID {
					continue
				}
				m[c.Kind]++
			}
			if c := counts(r.kinds, m); c != nil {
				p.Outbox = append(p.Outbox, r.outbox(formsvc.AlertOverdue, formsvc.AlertData{Counts: c, At: now}, now))
			}
		}
		soon(now.Add(delay))
	} else {
		soon(due)
	}

	// The daily digest, to whoever wants it, even when every count is 0:
	// a digest that came only on busy days would say that it was busy.
	local := now.In(vietnam)
	midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, vietnam)
	digestAt := midnight.Add(d.cfg.DigestAt)
	if day := local.Format(time.DateOnly); state.DigestDay != day && !local.Before(digestAt) {
		p.DigestDay, p.OldDigest = day, state.DigestDay
		byKinds := map[string][]formsvc.DigestCounts{}
		for _, r := range rcpts {
			if !r.wants(formsvc.AlertDigest) {
				continue
			}
			key := ""
			for _, k := range r.kinds {
				key += string(k) + ","
			}
			dc, ok := byKinds[key]
			if !ok {
				if dc, err = d.store.DigestCounts(ctx, r.kinds, now.Add(-24*time.Hour), now.Add(-d.cfg.OverdueAfter)); err != nil {
					return p, next, err
				}
				byKinds[key] = dc
			}
			p.Outbox = append(p.Outbox, r.outbox(formsvc.AlertDigest, formsvc.AlertData{Digest: dc, At: now}, now))
		}
		soon(midnight.AddDate(0, 0, 1).Add(d.cfg.DigestAt))
	} else if local.Before(digestAt) {
		soon(digestAt)
	} else {
		soon(midnight.AddDate(0, 0, 1).Add(d.cfg.DigestAt))
	}
	return p, next, nil
}
