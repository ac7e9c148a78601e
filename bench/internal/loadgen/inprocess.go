package loadgen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"syscall"

	"github.com/hoaphong/phongchongmaidam/data"
	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/cli"
	"github.com/hoaphong/phongchongmaidam/formsvc/sqlite"
	"github.com/hoaphong/phongchongmaidam/formsvc/web"
)

// RoleEnv names the environment variable that makes a bench binary, run
// again by itself, serve instead of load (see MaybeServe).
const RoleEnv = "FORMSVC_BENCH_SERVE"

// ProfileEnv names the file the in-process server writes its CPU profile
// to, from start to a clean stop.
const ProfileEnv = "FORMSVC_BENCH_CPUPROFILE"

// ServeSelfEnv is the environment that makes a bench binary, started
// with Start(os.Executable(), ...), serve with writes batched by at most
// maxBatch (1: one transaction and one fsync per submission).
func ServeSelfEnv(dir string, maxBatch int) []string {
	return []string{RoleEnv + "=" + dir + ":" + strconv.Itoa(maxBatch)}
}

// MaybeServe serves and exits when the process was started by
// ServeSelfEnv; otherwise it returns at once. Call it first in main.
func MaybeServe() {
	v := os.Getenv(RoleEnv)
	if v == "" {
		return
	}
	i := len(v) - 1
	for i >= 0 && v[i] != ':' {
		i--
	}
	n, err := strconv.Atoi(v[i+1:])
	if i < 0 || err != nil {
		fmt.Fprintf(os.Stderr, "%s=%q: want DIR:MAXBATCH\n", RoleEnv, v)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err = serveInProcess(ctx, v[:i], n, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// serveInProcess is `formsvc serve`'s public path, wired the same way
// (forms, key file, store, web.NewServer, web.HTTPServer, logs at Info on
// stderr, no rate limits) but with the store's write batch set to
// maxBatch. The officers' console, which a tip never reaches, is left out.
func serveInProcess(ctx context.Context, dir string, maxBatch int, stderr io.Writer) error {
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	cli.TuneGC(os.Getenv) // the garbage collector as formsvc serve sets it
	if p := os.Getenv(ProfileEnv); p != "" {
		f, err := os.Create(p)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	spec, err := formsvc.ParseSpec(data.FormsYAML)
	if err != nil {
		return err
	}
	keys, err := formsvc.LoadOrCreateKeyFile(filepath.Join(dir, "formsvc.key"))
	if err != nil {
		return err
	}
	db, err := sqlite.Open(ctx, filepath.Join(dir, "formsvc.db"), keys)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxBatch(maxBatch)
	srv := web.NewServer(web.Config{Spec: spec, Store: db, Keys: keys, SiteDir: filepath.Join(dir, "site"), Logger: log})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := web.HTTPServer(ln.Addr().String(), srv.Handler(), log, web.Timeouts{})
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	log.Info("đang phục vụ", "url", "http://"+ln.Addr().String()+"/", "max_batch", maxBatch)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	hs.Shutdown(context.Background())
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	commits, writes := db.WriteStats()
	log.Info("group commit", "commits", commits, "writes", writes, "writes_per_commit", float64(writes)/float64(max(commits, 1)))
	return db.Close()
}
