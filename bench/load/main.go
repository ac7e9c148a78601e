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
// With -pg, in the same run: `formsvc serve --db postgres://…` on a
// throwaway cluster of Debian's PostgreSQL on this machine (fsync and
// synchronous_commit on), one instance, then two on one database with
// the clients split between them; their CPU includes PostgreSQL's.
//
// Each table says the machine's load average before and after: other
// work on the machine shows in the figures.
//
// Run from the repository: go run ./bench/load [-duration 10s] [-conc 1,16,64] [-pg]
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
	pg       bool
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
	fs.BoolVar(&o.pg, "pg", false, "also measure formsvc serve on PostgreSQL, one instance and two on one database "+
		"(a throwaway cluster of Debian's postgresql, started and removed by the run)")
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
		_, err = measure(ctx, out, target{title: "bench server, group commit, profiled", bin: self, env: env, dir: dir}, o)
		return err
	}
	bin, err := loadgen.BuildFormsvc(ctx, o.dir)
	if err != nil {
		return err
	}
	serve, err := measure(ctx, out, target{title: "formsvc serve on SQLite (group commit, the default)", bin: bin, dir: filepath.Join(o.dir, "serve")}, o)
	if err != nil {
		return err
	}
	var pg1, pg2 []loadgen.Result
	if o.pg {
		if pg1, pg2, err = measurePostgres(ctx, out, bin, o); err != nil {
			return err
		}
	}
	var naive, batched []loadgen.Result
	if o.naive {
		self, err := os.Executable()
		if err != nil {
			return err
		}
		dir := filepath.Join(o.dir, "naive")
		if naive, err = measure(ctx, out, target{title: "naive: one transaction and fsync per submission (bench server on SQLite, SetMaxBatch(1))",
			bin: self, env: loadgen.ServeSelfEnv(dir, 1), dir: dir}, o); err != nil {
			return err
		}
		dir = filepath.Join(o.dir, "batched")
		if batched, err = measure(ctx, out, target{title: "same bench server, group commit (SetMaxBatch(512), the default)",
			bin: self, env: loadgen.ServeSelfEnv(dir, 512), dir: dir}, o); err != nil {
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

	fmt.Fprintf(out, "### Ratios\n\n| concurrency | formsvc serve / naive | bench server batched / naive | formsvc serve / raw ceiling |")
	if o.pg {
		fmt.Fprintf(out, " PostgreSQL, 1 instance / naive | PostgreSQL, 2 instances / naive | PostgreSQL, 1 instance / SQLite serve | PostgreSQL, 2 instances / SQLite serve |")
	}
	fmt.Fprintf(out, "\n|---:|---:|---:|---:|")
	if o.pg {
		fmt.Fprintf(out, "---:|---:|---:|---:|")
	}
	fmt.Fprintln(out)
	for i, r := range serve {
		row := fmt.Sprintf("| %d |", r.Conc)
		if o.naive && i < len(naive) && i < len(batched) {
			row += fmt.Sprintf(" %.1fx | %.1fx |", r.PerSecond()/naive[i].PerSecond(), batched[i].PerSecond()/naive[i].PerSecond())
		} else {
			row += " – | – |"
		}
		if o.raw {
			row += fmt.Sprintf(" %.0f %% |", 100*r.PerSecond()/raw.PerSecond())
		} else {
			row += " – |"
		}
		if o.pg && i < len(pg1) && i < len(pg2) {
			if o.naive && i < len(naive) {
				row += fmt.Sprintf(" %.1fx | %.1fx |", pg1[i].PerSecond()/naive[i].PerSecond(), pg2[i].PerSecond()/naive[i].PerSecond())
			} else {
				row += " – | – |"
			}
			row += fmt.Sprintf(" %.2fx | %.2fx |", pg1[i].PerSecond()/r.PerSecond(), pg2[i].PerSecond()/r.PerSecond())
		}
		fmt.Fprintln(out, row)
	}
	fmt.Fprintln(out)
	return nil
}

// A target is one service under load: instances processes of bin (with
// args, or ServeArgs(dir) when nil, and env), one database.
type target struct {
	title     string
	bin       string
	args, env []string
	dir       string
	instances int // 1 if 0
	// postgres, when set, is the database's server: its CPU (backends
	// included) is the service's too, and the database's size is its.
	postgres *postgresDB
}

// measure starts t's servers on a fresh database in t.dir, one after the
// other (the first makes the key file), runs every concurrency level
// against all of them at once (client w posts to instance w mod n),
// prints a table and stops them.
func measure(ctx context.Context, out io.Writer, t target, o options) ([]loadgen.Result, error) {
	if err := os.MkdirAll(filepath.Join(t.dir, "site"), 0o700); err != nil {
		return nil, err
	}
	args := t.args
	if args == nil && t.env == nil {
		args = loadgen.ServeArgs(t.dir)
	}
	var srvs []*loadgen.Server
	killAll := func() {
		for _, s := range srvs {
			s.Kill()
		}
	}
	var urls []string
	for range max(t.instances, 1) {
		srv, err := loadgen.Start(t.bin, args, t.env...)
		if err != nil {
			killAll()
			return nil, err
		}
		srvs = append(srvs, srv)
		urls = append(urls, srv.URL)
	}
	// cpu is the CPU time of the service's processes: its instances and
	// the database server, if it has one.
	cpu := func() (time.Duration, error) {
		var total time.Duration
		for _, s := range srvs {
			d, err := loadgen.CPUTime(s.PID())
			if err != nil {
				return 0, err
			}
			total += d
		}
		if t.postgres != nil {
			d, err := loadgen.TreeCPUTime(t.postgres.cluster.PID())
			if err != nil {
				return 0, err
			}
			total += d
		}
		return total, nil
	}
	rss := "service peak RSS (VmHWM)"
	if len(srvs) > 1 {
		rss = "service peak RSS (VmHWM, sum of the instances)"
	}
	cpuTitle := "service CPU"
	if t.postgres != nil {
		cpuTitle = "service CPU (formsvc and PostgreSQL)"
	}
	fmt.Fprintf(out, "### %s\n\nLoad average before: %s.\n\n| concurrency | accepted | accepted/s | p50 | p99 | errors | %s | %s | load generator CPU |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
		t.title, loadgen.LoadAverage(), rss, cpuTitle)
	var results []loadgen.Result
	for _, c := range o.conc {
		srvCPU0, err := cpu()
		if err != nil {
			killAll()
			return nil, err
		}
		selfCPU0 := loadgen.SelfCPUTime()
		r := loadgen.Run(ctx, loadgen.Load{URLs: urls, Conc: c, Duration: o.duration, MaxRequests: o.maxReq})
		selfCPU := loadgen.SelfCPUTime() - selfCPU0
		srvCPU, err := cpu()
		if err != nil {
			killAll()
			return nil, err
		}
		var peak int64
		for _, s := range srvs {
			mem, err := loadgen.ReadMemory(s.PID())
			if err != nil {
				killAll()
				return nil, err
			}
			peak += mem.Peak
		}
		results = append(results, r)
		fmt.Fprintf(out, "| %d | %s | %s | %s | %s | %d | %s | %.2f cores | %.2f cores |\n", c, thousands(float64(r.Accepted)), thousands(r.PerSecond()),
			ms(r.Percentile(50)), ms(r.Percentile(99)), r.Errors, mib(peak),
			(srvCPU-srvCPU0).Seconds()/r.Elapsed.Seconds(), selfCPU.Seconds()/r.Elapsed.Seconds())
		if ctx.Err() != nil {
			break
		}
	}
	var lines int64
	for _, s := range srvs {
		lines += s.LogLines()
	}
	for i, s := range srvs {
		if err := s.Stop(); err != nil {
			killAll()
			return nil, fmt.Errorf("stop %s, instance %d: %w", t.title, i+1, err)
		}
	}
	fmt.Fprintf(out, "\nLoad average after: %s. The service wrote %d log lines; ", loadgen.LoadAverage(), lines)
	if t.postgres != nil {
		size, err := t.postgres.size(ctx)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(out, "database %s (pg_database_size) after a clean stop.", mib(size))
	} else {
		size := fileSize(filepath.Join(t.dir, "formsvc.db")) + fileSize(filepath.Join(t.dir, "formsvc.db-wal"))
		fmt.Fprintf(out, "database %s after a clean stop.", mib(size))
	}
	if len(srvs) == 1 {
		if m := groupRe.FindStringSubmatch(srvs[0].Log()); m != nil {
			fmt.Fprintf(out, " %s commits for %s writes: %s writes per commit on average.", m[1], m[2], m[3])
		}
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
