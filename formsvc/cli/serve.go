package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/hoaphong/phongchongmaidam/data"
	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/console"
	"github.com/hoaphong/phongchongmaidam/formsvc/web"
)

// shutdownGrace is how long in-flight requests get to finish on a stop.
const shutdownGrace = 30 * time.Second

// gcPercent and memoryLimit are serve's garbage-collector settings unless
// GOGC or GOMEMLIMIT say otherwise. The live heap under load is a few MB,
// so the default GOGC=100 collects very often: 400 took concurrency 64
// from 7,606 to 9,819 accepted tips per second for 13 MiB more peak memory
// (65 to 78 MiB, docs/BENCHMARKS.md). The soft limit keeps a burst of photo
// uploads (each decoded in memory) from letting the heap grow to five
// times its live size.
const (
	gcPercent   = 400
	memoryLimit = 256 << 20
)

// TuneGC applies serve's garbage-collector settings (the load benchmark's
// in-process server applies them too, to measure the same service).
func TuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
}

func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("serve", e)
	store := storageSettings(fs)
	cfg := serverSettings(fs)
	if err := fs.parse(args, e.getenv); err != nil {
		return err
	}
	if err := cfg.check(); err != nil {
		return err
	}
	log := newLogger(e.stderr)
	TuneGC(e.getenv)

	spec, err := formsvc.LoadSpec(data.FormsYAML, data.ReferralsYAML)
	if err != nil {
		return err
	}
	keys, db, err := openStore(ctx, e, store)
	if err != nil {
		return err
	}
	defer db.Close()
	// The site must be built from this binary's forms.yaml; none at all
	// is allowed (the officers' console works without it), with a warning.
	if err := web.CheckSite(cfg.SiteDir, spec, data.FormsYAML); errors.Is(err, web.ErrNoSite) {
		log.Warn("chưa có trang web đã dựng: hãy chạy go tool hugo --source site trước", "site", cfg.SiteDir)
	} else if err != nil {
		return err
	}

	commune, err := formsvc.ParseCommune(data.CommuneYAML)
	if err != nil {
		return err
	}
	con := console.New(console.Config{Spec: spec, Store: db, SessionStore: db.SessionStore(), Logger: log, Commune: commune,
		SecureCookies: cfg.SecureCookies, OverdueAfter: cfg.OverdueAfter, LoginLimit: cfg.Login.N, LoginLimitPer: cfg.Login.Per,
		LoginGlobalLimit: cfg.LoginGlobal.N, LoginGlobalPer: cfg.LoginGlobal.Per,
		MailAlerts: cfg.Alerts.SMTPURL != "", Shared: db.SharedState(), AddressKey: keys.Address})
	srv := web.NewServer(web.Config{Spec: spec, Store: db, Keys: keys, SiteDir: cfg.SiteDir, Logger: log,
		ClientIPHeader: cfg.ClientIPHeader, TrustedProxies: cfg.TrustedProxies, NetlifySecret: cfg.NetlifySecret.secret, Limits: cfg.Limits, Console: con.Handler(),
		AllowedOrigins: cfg.AllowedOrigins, Shared: db.SharedState()})
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("không nghe được ở %s: %w", cfg.Addr, err)
	}
	startAlerts, err := prepareAlerts(&cfg.Alerts, cfg.OverdueAfter, db, log)
	if err != nil {
		ln.Close()
		return err
	}
	hs := web.HTTPServer(cfg.Addr, srv.Handler(), log, web.Timeouts{})
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	log.Info("đang phục vụ", "url", "http://"+ln.Addr().String()+"/", "db", dbName(store.DB))
	stopAlerts := startAlerts()
	defer stopAlerts()

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("đang dừng: chờ các yêu cầu đang xử lý xong")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		log.Error("dừng máy chủ", "err", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("máy chủ", "err", err)
	}
	stopAlerts()
	if err := db.Close(); err != nil {
		return fmt.Errorf("đóng cơ sở dữ liệu: %w", err)
	}
	log.Info("đã dừng")
	return nil
}
