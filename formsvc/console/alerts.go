package console

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// Officer alerts in the console: an officer's address and choice of
// alerts on the account page, everyone's addresses (and who has none) on
// the admin's accounts page, and the outbox's failures on the dashboard.
// The pages' own handlers are untouched: render asks alertView for this
// part, which the pages include as a template partial.

// droppedWindow is how far back the dashboard reports dropped alerts.
const droppedWindow = 7 * 24 * time.Hour

type alertOption struct {
	Value   string
	Label   string
	Checked bool
}

// alertAccount is the account page's part.
type alertAccount struct {
	MailOn bool
	Email  string
	Types  []alertOption
}

// alertOfficers is the admin's accounts page part.
type alertOfficers struct {
	Officers []formsvc.OfficerAlerts
	Missing  []string // active accounts without an address
}

// alertDashboard is the dashboard's part.
type alertDashboard struct {
	MailOn     bool
	OwnMissing bool
	Status     formsvc.AlertStatus
	Admin      bool
	Missing    []string
	Days       int
}

// alertFormKey carries a refused form back to the page that shows it.
type alertFormKey struct{}

type alertForm struct {
	Email string
	Wants map[formsvc.AlertType]bool
}

func missing(list []formsvc.OfficerAlerts) []string {
	var out []string
	for _, o := range list {
		if o.Email == "" && !o.Disabled {
			out = append(out, o.Username)
		}
	}
	return out
}

// alertView is the alert part of page name, or nil. A failure to read it
// is logged and leaves the part out: the page itself still works.
func (c *Console) alertView(r *http.Request, name string) any {
	as, o := c.store, officerFrom(r.Context())
	if o == nil {
		return nil
	}
	ctx := r.Context()
	v, err := func() (any, error) {
		switch name {
		case "account":
			s, err := as.OfficerAlertsByID(ctx, o.ID)
			if err != nil {
				return nil, err
			}
			d := alertAccount{MailOn: c.cfg.MailAlerts, Email: s.Email}
			wants := s.Wants
			if f, ok := ctx.Value(alertFormKey{}).(alertForm); ok {
				d.Email, wants = f.Email, f.Wants
			}
			for _, t := range formsvc.AlertTypes {
				d.Types = append(d.Types, alertOption{string(t), formsvc.AlertTypeLabels[t], wants[t]})
			}
			return d, nil
		case "officers":
			list, err := as.OfficerAlerts(ctx)
			if err != nil {
				return nil, err
			}
			return alertOfficers{Officers: list, Missing: missing(list)}, nil
		case "dashboard":
			st, err := as.AlertStatus(ctx, c.now().Add(-droppedWindow))
			if err != nil {
				return nil, err
			}
			own, err := as.OfficerAlertsByID(ctx, o.ID)
			if err != nil {
				return nil, err
			}
			d := alertDashboard{MailOn: c.cfg.MailAlerts, OwnMissing: own.Email == "", Status: st,
				Admin: o.Role == formsvc.RoleAdmin, Days: int(droppedWindow / (24 * time.Hour))}
			if d.Admin {
				list, err := as.OfficerAlerts(ctx)
				if err != nil {
					return nil, err
				}
				d.Missing = missing(list)
			}
			return d, nil
		}
		return nil, nil
	}()
	if err != nil {
		c.log.Error("không đọc được cài đặt thông báo", "page", name, "err", err)
		return nil
	}
	return v
}

// handleAlertSettings saves the officer's own address and choice.
func (c *Console) handleAlertSettings(w http.ResponseWriter, r *http.Request) {
	as := c.store
	o := officerFrom(r.Context())
	wants := map[formsvc.AlertType]bool{}
	for _, v := range r.PostForm["alerts"] {
		if t, ok := formsvc.ParseAlertType(v); ok {
			wants[t] = true
		}
	}
	raw := r.PostFormValue("email")
	email, err := formsvc.ParseEmail(raw)
	if err != nil {
		ctx := context.WithValue(r.Context(), alertFormKey{}, alertForm{Email: raw, Wants: wants})
		c.accountPage(w, r.WithContext(ctx), http.StatusUnprocessableEntity, accountData{}, errorsOf("alert-email", formsvc.ErrorMessage(err)))
		return
	}
	if err := as.SetAlertEmail(r.Context(), o.ID, email); err != nil {
		c.fail(w, r, err)
		return
	}
	if err := as.SetAlertWants(r.Context(), o.ID, wants); err != nil {
		c.fail(w, r, err)
		return
	}
	c.audit(r, formsvc.AuditAlertSettings, o.Username, "tự đổi")
	msg := "Đã lưu cài đặt thông báo."
	if email == "" {
		msg = "Đã lưu: bạn sẽ không nhận thông báo qua email vì chưa có địa chỉ."
	}
	c.flash(w, r, "/officer/account#thong-bao", msg)
}

// handleOfficerEmail sets another officer's address (admin).
func (c *Console) handleOfficerEmail(w http.ResponseWriter, r *http.Request) {
	as := c.store
	o := c.officerInURL(w, r)
	if o == nil {
		return
	}
	email, err := formsvc.ParseEmail(r.PostFormValue("email"))
	if err != nil {
		c.officersPage(w, r, http.StatusUnprocessableEntity, officersData{}, errorsOf("email-"+strconv.FormatInt(o.ID, 10), formsvc.ErrorMessage(err)))
		return
	}
	if err := as.SetAlertEmail(r.Context(), o.ID, email); err != nil {
		c.fail(w, r, err)
		return
	}
	c.audit(r, formsvc.AuditAlertSettings, o.Username, "email")
	msg := "Đã đặt email nhận thông báo cho " + o.Username + "."
	if email == "" {
		msg = "Đã xóa email nhận thông báo của " + o.Username + "."
	}
	c.flash(w, r, "/officer/officers#email-thong-bao", msg)
}
