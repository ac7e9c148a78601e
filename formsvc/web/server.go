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
	Limits         Limits
	// Console is the officers' console, served under /officer/.
	Console http.Handler
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
	forms      map[formsvc.Kind]*formsvc.Form
	receiptKey []byte
	limitKey   []byte
	limits     Limits
	clientIP   func(http.Handler) http.Handler
	console    http.Handler
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
	return &Server{
		spec:       cfg.Spec,
		validate:   formsvc.NewValidator(now),
		store:      cfg.Store,
		hasher:     formsvc.NewReceiptHasher(cfg.Keys.Receipt),
		receiptKey: cfg.Keys.Receipt,
		limitKey:   newLimitKey(),
		limits:     cfg.Limits,
		clientIP:   clientIP(cfg.ClientIPHeader, cfg.TrustedProxies),
		console:    cfg.Console,
		pages:      &pages{dir: cfg.SiteDir},
		siteDir:    cfg.SiteDir,
		log:        log,
		now:        now,
		forms: map[formsvc.Kind]*formsvc.Form{
			formsvc.KindTip:     cfg.Spec.Tip,
			formsvc.KindSupport: cfg.Spec.Support,
		},
	}
}

// HTTPServer wraps h in an http.Server with a timeout on every phase, so
// that slow or stalled clients cannot hold the service.
func HTTPServer(addr string, h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		// Photos on a slow phone network take time: 15 MB at 1 Mbit/s.
		ReadTimeout:    3 * time.Minute,
		WriteTimeout:   3 * time.Minute,
		IdleTimeout:    60 * time.Second,
		MaxHeaderBytes: 32 << 10,
		ErrorLog:       slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:    func(net.Listener) context.Context { return context.Background() },
	}
}
