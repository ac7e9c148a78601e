// Package web is the form service's HTTP layer: the chi router, the public
// API, the static site and the middleware around them.
package web

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/internal/window"
)

// Store is what the web layer needs from storage.
type Store interface {
	formsvc.SubmissionService
	formsvc.FollowUpService
}

// Config holds the server's dependencies and settings.
type Config struct {
	Spec    *formsvc.Spec
	Store   Store
	Keys    *formsvc.Keys
	SiteDir string // the built Hugo site (site/public)
	Logger  *slog.Logger
	Now     func() time.Time // nil: time.Now
	// ClientIPHeader is the header in which a trusted reverse proxy puts
	// the client's address ("" means the connection's address), and
	// TrustedProxies the proxies' CIDR prefixes it is read from.
	ClientIPHeader string
	TrustedProxies []string
	// NetlifySecret is the secret of Netlify's signed proxy rule: requests
	// that carry a valid X-Nf-Sign take the visitor's address from
	// X-Nf-Client-Connection-Ip (see netlify.go). Empty: never.
	NetlifySecret []byte
	Limits        Limits
	// AllowedOrigins are other sites' origins (https://host) whose pages
	// may post to the API; the site's own pages always may, including
	// through the Netlify proxy.
	AllowedOrigins []string
	// Console is the officers' console, served under /officer/.
	Console http.Handler
	// Shared is the state instances share (rate counts, spent tokens):
	// the database's when several instances run on PostgreSQL; nil keeps
	// it in this process's memory.
	Shared formsvc.SharedState
	// Photos cleans uploaded photos within its memory budget (nil:
	// formsvc.DefaultPhotoCleaner, shared by the whole process).
	Photos *formsvc.PhotoCleaner
}

// Server serves the site and the API.
type Server struct {
	spec       *formsvc.Spec
	validate   *formsvc.Validator
	store      Store
	hasher     *formsvc.ReceiptHasher
	pages      *pages
	siteDir    string
	log        *slog.Logger
	now        func() time.Time
	keys       *formsvc.Keys
	limits     Limits
	pow        *pow
	shared     formsvc.SharedState
	pagesSince time.Time // receipt pages issued before are refused (zero: none)
	submit     *guard    // the forms' intake
	followUp   *guard    // lookups with a receipt
	clientIP   func(http.Handler) http.Handler
	console    http.Handler
	origins    *http.CrossOriginProtection
	photos     *formsvc.PhotoCleaner
}

// NewServer makes a server from its configuration.
func NewServer(cfg Config) *Server {
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	origins := http.NewCrossOriginProtection()
	for _, o := range cfg.AllowedOrigins {
		if err := origins.AddTrustedOrigin(o); err != nil {
			log.Error("bỏ qua nguồn không hợp lệ", "origin", o, "err", err)
		}
	}
	photos := cfg.Photos
	if photos == nil {
		photos = formsvc.DefaultPhotoCleaner
	}
	s := &Server{
		spec:     cfg.Spec,
		validate: formsvc.NewValidator(now),
		store:    cfg.Store,
		hasher:   formsvc.NewReceiptHasher(cfg.Keys.Receipt),
		keys:     cfg.Keys,
		limits:   cfg.Limits,
		clientIP: clientIP(cfg.ClientIPHeader, cfg.TrustedProxies, cfg.NetlifySecret),
		console:  cfg.Console,
		pages:    &pages{dir: cfg.SiteDir},
		siteDir:  cfg.SiteDir,
		log:      log,
		now:      now,
		origins:  origins,
		photos:   photos,
	}
	shared := cfg.Shared
	if shared == nil {
		shared = window.NewMemory(now)
		// Spent tokens die with this process: a receipt page issued
		// before it started might have been shown already.
		s.pagesSince = now()
	}
	s.shared = shared
	s.pow = &pow{key: cfg.Keys.Challenge, maxNumber: powMaxNumber, now: now, spent: shared}
	var counter formsvc.RateCounter
	if cfg.Shared != nil {
		counter = cfg.Shared
	}
	s.submit = s.newGuard("submit", cfg.Limits.Submit, cfg.Limits.SubmitGlobal, cfg.Spec.Tip, counter)
	s.followUp = s.newGuard("follow-up", cfg.Limits.FollowUp, cfg.Limits.FollowUpGlobal, cfg.Spec.FollowUp, counter)
	origins.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.log.Warn("từ chối bài gửi từ trang web khác", "route", r.URL.Path)
		s.fail(w, r, s.formOf(r), nil, formsvc.Errorf(formsvc.EFORBIDDEN, formsvc.MsgForbidden))
	}))
	return s
}

// formOf is the form that posts to r's path, for error pages' back links.
func (s *Server) formOf(r *http.Request) *formsvc.Form {
	for _, f := range []*formsvc.Form{s.spec.Tip, s.spec.Support, s.spec.FollowUp, s.spec.FollowUpMessage} {
		if f.Action == r.URL.Path {
			return f
		}
	}
	return s.spec.Tip
}

// Timeouts bound each phase of a request, so that slow or stalled clients
// cannot hold the service. A zero field takes its value from
// DefaultTimeouts.
type Timeouts struct {
	ReadHeader time.Duration // the request line and headers
	Read       time.Duration // the whole request, body included
	Write      time.Duration // from the end of the headers to the end of the answer
	Idle       time.Duration // between requests on a kept-alive connection
}

// DefaultTimeouts are the service's timeouts. Photos on a slow phone
// network take time: 15 MB at 1 Mbit/s is two minutes.
var DefaultTimeouts = Timeouts{
	ReadHeader: 10 * time.Second,
	Read:       3 * time.Minute,
	Write:      3 * time.Minute,
	Idle:       60 * time.Second,
}

// HTTPServer wraps h in an http.Server with a timeout on every phase (see
// Timeouts; Timeouts{} is DefaultTimeouts).
func HTTPServer(addr string, h http.Handler, log *slog.Logger, t Timeouts) *http.Server {
	d := DefaultTimeouts
	orDefault := func(v, def time.Duration) time.Duration {
		if v > 0 {
			return v
		}
		return def
	}
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: orDefault(t.ReadHeader, d.ReadHeader),
		ReadTimeout:       orDefault(t.Read, d.Read),
		WriteTimeout:      orDefault(t.Write, d.Write),
		IdleTimeout:       orDefault(t.Idle, d.Idle),
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.Background() },
	}
}
