// Package console is the officers' side of the form service: login with
// an optional second factor, the inbox and case workflow, the dashboard,
// accounts and the audit log. Server-rendered with html/template, in
// Vietnamese, usable on a phone and without JavaScript.
package console

import (
	"cmp"
	"context"
	"embed"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/go-chi/chi/v5"
	"github.com/justinas/nosurf"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

//go:embed templates/*.html templates/partials/*.html
var templateFS embed.FS

//go:embed static/*
var staticFS embed.FS

// Store is what the console needs from storage.
type Store interface {
	formsvc.OfficerService
	formsvc.AuditService
	formsvc.CaseService
	formsvc.FollowUpService
	formsvc.FactsService
	formsvc.AlertService
}

// Config holds the console's dependencies and settings.
type Config struct {
	Spec         *formsvc.Spec
	Store        Store
	SessionStore scs.Store
	Logger       *slog.Logger
	Now          func() time.Time
	// SecureCookies marks cookies Secure: set it when TLS ends in front of
	// the service (the usual reverse-proxy set-up).
	SecureCookies bool
	// OverdueAfter: an open record with no action for this long is overdue.
	OverdueAfter time.Duration
	// LoginLimit is how many failed logins (wrong passwords, unknown
	// names, wrong second-factor codes) a client address may make within
	// LoginLimitPer before it is refused (429); from the third, each of
	// its attempts waits first. 0: no limit.
	LoginLimit    int
	LoginLimitPer time.Duration
	// LoginGlobalLimit is how many failed logins from everyone within
	// LoginGlobalPer stop every login for a while (503). 0: no cap.
	LoginGlobalLimit int
	LoginGlobalPer   time.Duration
	// Shared is the state instances share (the login guard's counts);
	// nil keeps it in this process's memory. AddressKey keys the
	// addresses counted (Keys.Address; empty: a key of this process).
	Shared     formsvc.SharedState
	AddressKey []byte
	// LoginWait waits before an attempt from an address that failed
	// before, or until ctx ends (nil: a timer). Tests record the waits.
	LoginWait func(ctx context.Context, d time.Duration) error
	// Commune heads and signs reports (data/commune.yaml); nil leaves
	// the issuing body and the signer to fill in.
	Commune *formsvc.Commune
	// MailAlerts says that alert mail is configured (--smtp-url).
	MailAlerts bool
	// SearchSlots is how many searches by words may run at once (0:
	// DefaultSearchSlots); each opens up to 2,000 records.
	SearchSlots int
}

// Console serves /officer/.
type Console struct {
	spec     *formsvc.Spec
	store    Store
	sessions *scs.SessionManager
	log      *slog.Logger
	now      func() time.Time
	pages    map[string]*pageTemplate
	cfg      Config
	guard    *loginGuard
	searches chan struct{} // a slot for each search by words running
}

// Session lifetimes: an idle session ends after 30 minutes, any session
// after 12 hours.
const (
	IdleTimeout = 30 * time.Minute
	Lifetime    = 12 * time.Hour
)

// New makes the console.
func New(cfg Config) *Console {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.OverdueAfter == 0 {
		cfg.OverdueAfter = 3 * 24 * time.Hour
	}
	sm := scs.New()
	sm.Store = cfg.SessionStore
	sm.IdleTimeout = IdleTimeout
	sm.Lifetime = Lifetime
	sm.Cookie.Name = "formsvc_session"
	sm.Cookie.Path = "/officer"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteStrictMode
	sm.Cookie.Secure = cfg.SecureCookies
	sm.Cookie.Persist = false
	c := &Console{spec: cfg.Spec, store: cfg.Store, sessions: sm, log: cfg.Logger, now: cfg.Now, cfg: cfg,
		guard: newLoginGuard(cfg, cfg.Now), searches: make(chan struct{}, cmp.Or(cfg.SearchSlots, DefaultSearchSlots))}
	c.pages = mustParsePages(c.spec)
	return c
}

// Handler returns /officer/ and everything below it.
func (c *Console) Handler() http.Handler {
	r := chi.NewRouter()
	r.Use(consoleHeaders)
	r.Handle("/static/*", noListing(http.StripPrefix("/officer/", http.FileServerFS(staticFS))))
	r.Group(func(r chi.Router) {
		r.Use(c.sessions.LoadAndSave, c.limitBody, c.csrf, c.loadOfficer)
		r.Get("/login", c.handleLoginForm)
		r.Post("/login", c.handleLogin)
		r.Get("/login/totp", c.handleTOTPForm)
		r.Post("/login/totp", c.handleTOTP)
		r.Post("/logout", c.handleLogout)
		r.Group(func(r chi.Router) {
			r.Use(c.requireOfficer)
			// What an officer who must still set up the second factor may do.
			r.Get("/account", c.handleAccount)
			r.Post("/account/password", c.handleOwnPassword)
			r.Post("/account/totp/start", c.handleTOTPStart)
			r.Post("/account/totp/confirm", c.handleTOTPConfirm)
		})
		r.Group(func(r chi.Router) {
			r.Use(c.requireOfficer, c.requireSecondFactor)
			r.Get("/", c.handleInbox)
			r.Route("/cases/{ref}", func(r chi.Router) {
				r.Use(c.loadCase)
				r.Get("/", c.handleCase)
				r.Get("/photos/{n}", c.handlePhoto)
				r.Post("/status", c.handleStatus)
				r.Post("/notes", c.handleNote)
				r.Post("/replies", c.handleReply)
				r.Post("/assign", c.handleAssign)
				r.Post("/priority", c.handlePriority)
				r.Post("/referrals/{id}/outcome", c.handleOutcome)
			})
			r.Get("/dashboard", c.handleDashboard)
			r.Post("/account/totp/disable", c.handleTOTPDisable)
			r.Post("/account/alerts", c.handleAlertSettings)
			r.Get("/export", c.handleExportForm)
			r.Get("/export/download", c.handleExportDownload)
			r.Get("/report", c.handleReportForm)
			r.Get("/report/download", c.handleReportDownload)
			r.Group(func(r chi.Router) {
				r.Use(requireRole(formsvc.RoleAdmin))
				r.Get("/officers", c.handleOfficers)
				r.Post("/officers", c.handleOfficerAdd)
				r.Post("/officers/{id}/password", c.handleOfficerPassword)
				r.Get("/officers/{id}/disable", c.handleOfficerDisableConfirm)
				r.Post("/officers/{id}/disable", c.handleOfficerDisable(true))
				r.Post("/officers/{id}/enable", c.handleOfficerDisable(false))
				r.Post("/officers/require-2fa", c.handleRequireTOTP)
				r.Post("/officers/{id}/email", c.handleOfficerEmail)
				r.Get("/audit", c.handleAudit)
			})
		})
	})
	return r
}

// noListing serves files only: a folder's address is not found, never a
// listing of what it holds.
func noListing(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// consoleHeaders: nothing of the console is cached, and the console's own
// forms send their origin (the public site sends no referrer at all).
func consoleHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// csrf protects every state change with nosurf: a token in each form,
// checked against a cookie, plus its same-origin checks.
func (c *Console) csrf(next http.Handler) http.Handler {
	h := nosurf.New(next)
	h.SetBaseCookie(http.Cookie{Name: "formsvc_csrf", Path: "/officer", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: c.cfg.SecureCookies, MaxAge: int(Lifetime.Seconds())})
	h.SetIsTLSFunc(func(r *http.Request) bool { return r.TLS != nil || c.cfg.SecureCookies })
	h.SetFailureHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.log.Warn("yêu cầu bị chặn: thiếu hoặc sai mã chống giả mạo", "reason", nosurf.Reason(r))
		c.render(w, r, http.StatusForbidden, "error", "Không thực hiện được",
			errorData{Message: "Phiên làm việc đã hết hạn hoặc yêu cầu không hợp lệ. Vui lòng tải lại trang rồi thử lại."})
	}))
	return h
}
