// Command load measures the form service under load on loopback and prints
// the tables of docs/BENCHMARKS.md.
//
// It builds formsvc, starts `formsvc serve` on a free loopback port with a
// fresh database (the durable defaults: WAL, synchronous=FULL) and the rate
// limits off, and posts valid JSON tips at each concurrency for a fixed
// time: accepted per second, p50, p99, errors, and the service's peak
// resident memory (VmHWM). Then, for comparison:
//
//   - naive: the same HTTP path with one transaction (and fsync) per
//     submission, through the bench binary serving in-process with
//     sqlite's SetMaxBatch(1), and the same harness with the default batch
//     (512) so that the ratio compares like with like;
//   - raw: the SQLite insert ceiling, batched inserts with the same
//     schema and pragmas straight through database/sql, no HTTP.
//
// Run from the repository: go run ./bench/load [-duration 10s] [-conc 1,16,64]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/hoaphong/phongchongmaidam/bench/internal/loadgen"
)

func main() {
	loadgen.MaybeServe()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

type options struct {
	duration time.Duration
	conc     []int
	maxReq   int64
	naive    bool
	raw      bool
	dir      string
	keep     bool
	profile  string
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	var o options
	var conc string
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "how long each concurrency level runs")
	fs.StringVar(&conc, "conc", "1,16,64", "concurrency levels, comma-separated")
	fs.Int64Var(&o.maxReq, "max-requests", 1_000_000, "most requests per level (a bound besides the duration)")
	fs.BoolVar(&o.naive, "naive", true, "also measure one transaction per submission (and the same harness batched)")
	fs.BoolVar(&o.raw, "raw", true, "also measure the raw SQLite insert ceiling")
	fs.StringVar(&o.dir, "dir", "", "working folder for the binary and databases (default: a new temporary folder)")
	fs.BoolVar(&o.keep, "keep", false, "keep the working folder")
	fs.StringVar(&o.profile, "cpuprofile", "", "profile instead: run only the bench server (group commit) at each -conc and write its CPU profile to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	for _, s := range strings.Split(conc, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > 1024 {
			return fmt.Errorf("-conc: %q is not a concurrency from 1 to 1024", s)
		}
		o.conc = append(o.conc, n)
	}
	if o.duration <= 0 || o.duration > 10*time.Minute {
		return fmt.Errorf("-duration %s: want more than 0 and at most 10m", o.duration)
	}
	if o.dir == "" {
		d, err := os.MkdirTemp("", "formsvc-load-*")
		if err != nil {
			return err
		}
		o.dir = d
	}
	if !o.keep {
		defer os.RemoveAll(o.dir)
	}
	fmt.Fprintf(out, "Machine: %d CPU(s) (GOMAXPROCS %d), %s; %s; working folder %s\n",
		runtime.NumCPU(), runtime.GOMAXPROCS(0), memTotal(), runtime.Version(), o.dir)
	fmt.Fprintf(out, "Each level: %s or %d requests, whichever ends first; JSON tips to POST /api/v1/tips; load generator on the same machine.\n\n", o.duration, o.maxReq)

	if o.profile != "" {
		self, err := os.Executable()
		if err != nil {
			return err
		}
		abs, err := filepath.Abs(o.profile)
		if err != nil {
			return err
		}
		dir := filepath.Join(o.dir, "profile")
		env := append(loadgen.ServeSelfEnv(dir, 512), loadgen.ProfileEnv+"="+abs)
		_, err = measure(ctx, out, "bench server, group commit, profiled", self, env, dir, o)
		return err
	}
	bin, err := loadgen.BuildFormsvc(ctx, o.dir)
	if err != nil {
		return err
	}
	serve, err := measure(ctx, out, "formsvc serve (group commit, the default)", bin, nil, filepath.Join(o.dir, "serve"), o)
	if err != nil {
		return err
	}
	var naive, batched []loadgen.Result
	if o.naive {
		self, err := os.Executable()
		if err != nil {
			return err
		}
		dir := filepath.Join(o.dir, "naive")
		if naive, err = measure(ctx, out, "naive: one transaction and fsync per submission (bench server, SetMaxBatch(1))",
			self, loadgen.ServeSelfEnv(dir, 1), dir, o); err != nil {
			return err
		}
		dir = filepath.Join(o.dir, "batched")
		if batched, err = measure(ctx, out, "same bench server, group commit (SetMaxBatch(512), the default)",
			self, loadgen.ServeSelfEnv(dir, 512), dir, o); err != nil {
			return err
		}
	}
	var raw rawResult
	if o.raw {
		if raw, err = rawCeiling(ctx, o.dir, 512, o.duration, 10_000_000); err != nil {
			return fmt.Errorf("raw ceiling: %w", err)
		}
		fmt.Fprintf(out, "### Raw SQLite insert ceiling\n\n%s rows in %s, %d commits of 512 rows: **%s rows/s** (database/sql, one goroutine, same schema and pragmas, no HTTP)\n\n",
			thousands(float64(raw.Rows)), raw.Elapsed.Round(time.Millisecond), raw.Commits, thousands(raw.PerSecond()))
	}

	fmt.Fprintf(out, "### Ratios\n\n| concurrency | formsvc serve / naive | bench server batched / naive | formsvc serve / raw ceiling |\n|---:|---:|---:|---:|\n")
	for i, r := range serve {
		row := fmt.Sprintf("| %d |", r.Conc)
		if o.naive {
			row += fmt.Sprintf(" %.1fx | %.1fx |", r.PerSecond()/naive[i].PerSecond(), batched[i].PerSecond()/naive[i].PerSecond())
		} else {
			row += " – | – |"
		}
		if o.raw {
			row += fmt.Sprintf(" %.0f %% |", 100*r.PerSecond()/raw.PerSecond())
		} else {
			row += " – |"
		}
		fmt.Fprintln(out, row)
	}
	fmt.Fprintln(out)
	return nil
}

// measure starts a server from bin with a fresh database in dir, runs
// every concurrency level against it, prints a table and stops it.
func measure(ctx context.Context, out io.Writer, title, bin string, env []string, dir string, o options) ([]loadgen.Result, error) {
	if err := os.MkdirAll(filepath.Join(dir, "site"), 0o700); err != nil {
		return nil, err
	}
	var args []string
	if env == nil {
		args = loadgen.ServeArgs(dir)
	}
	srv, err := loadgen.Start(bin, args, env...)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "### %s\n\n| concurrency | accepted | accepted/s | p50 | p99 | errors | service peak RSS (VmHWM) | service CPU | load generator CPU |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n", title)
	var results []loadgen.Result
	for _, c := range o.conc {
		srvCPU0, err := loadgen.CPUTime(srv.PID())
		if err != nil {
			srv.Kill()
			return nil, err
		}
		selfCPU0 := loadgen.SelfCPUTime()
		r := loadgen.Run(ctx, loadgen.Load{URL: srv.URL, Conc: c, Duration: o.duration, MaxRequests: o.maxReq})
		selfCPU := loadgen.SelfCPUTime() - selfCPU0
		srvCPU, err := loadgen.CPUTime(srv.PID())
		if err != nil {
			srv.Kill()
			return nil, err
		}
		mem, err := loadgen.ReadMemory(srv.PID())
		if err != nil {
			srv.Kill()
			return nil, err
		}
		results = append(results, r)
		fmt.Fprintf(out, "| %d | %s | %s | %s | %s | %d | %s | %.2f cores | %.2f cores |\n", c, thousands(float64(r.Accepted)), thousands(r.PerSecond()),
			ms(r.Percentile(50)), ms(r.Percentile(99)), r.Errors, mib(mem.Peak),
			(srvCPU-srvCPU0).Seconds()/r.Elapsed.Seconds(), selfCPU.Seconds()/r.Elapsed.Seconds())
		if ctx.Err() != nil {
			break
		}
	}
	lines := srv.LogLines()
	if err := srv.Stop(); err != nil {
		return nil, fmt.Errorf("stop %s: %w", title, err)
	}
	size := fileSize(filepath.Join(dir, "formsvc.db")) + fileSize(filepath.Join(dir, "formsvc.db-wal"))
	fmt.Fprintf(out, "\nThe service wrote %d log lines; database %s after a clean stop.", lines, mib(size))
	if m := groupRe.FindStringSubmatch(srv.Log()); m != nil {
		fmt.Fprintf(out, " %s commits for %s writes: %s writes per commit on average.", m[1], m[2], m[3])
	}
	fmt.Fprint(out, "\n\n")
	return results, ctx.Err()
}

var groupRe = regexp.MustCompile(`group commit.* commits=(\d+) writes=(\d+) writes_per_commit=([\d.]+)`)

func fileSize(p string) int64 {
	fi, err := os.Stat(p)
	if err != nil {
		return 0
	}
	return fi.Size()
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

// thousands formats n rounded, with a comma every three digits.
func thousands(n float64) string {
	s := strconv.FormatInt(int64(n+0.5), 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func memTotal() string {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return "memory unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			f := strings.Fields(rest)
			if kb, err := strconv.ParseInt(f[0], 10, 64); err == nil {
				return fmt.Sprintf("%.1f GiB RAM", float64(kb)/(1<<20))
			}
		}
	}
	return "memory unknown"
}
