// Command crash kills the form service with SIGKILL at random moments under
// load, restarts it on the same database each time, and then checks that
// every submission acknowledged with a 201 is in the database (found by its
// receipt's keyed hash, read and decrypted) and that SQLite's
// integrity_check is ok. It prints the figures of docs/BENCHMARKS.md.
//
// A SIGKILL ends the process at once: no shutdown, no close, no last
// fsync; what the kernel already holds survives. It tests that no answer
// leaves before its commit; power loss, which also drops the kernel's
// unsynced pages, is what synchronous=FULL is for and is not simulated.
//
// With -pg it runs on PostgreSQL instead (see pg.go): a throwaway cluster,
// two instances on one database, the load shared between them, one
// killed again and again while the other keeps serving.
//
// Run from the repository: go run ./bench/crash [-kills 25] [-conc 32] [-pg]
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"time"

	"github.com/hoaphong/phongchongmaidam/bench/internal/loadgen"
	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/sqlite"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "crash:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("crash", flag.ContinueOnError)
	kills := fs.Int("kills", 25, "how many times to kill the service (at least 1, at most 1000)")
	conc := fs.Int("conc", 32, "concurrent clients posting tips")
	minUp := fs.Duration("min", 200*time.Millisecond, "shortest time under load before a kill")
	maxUp := fs.Duration("max", 2*time.Second, "longest time under load before a kill")
	seed := fs.Uint64("seed", uint64(time.Now().UnixNano()), "random seed for the kill moments")
	dir := fs.String("dir", "", "working folder (default: a new temporary folder, removed at the end)")
	pg := fs.Bool("pg", false, "on PostgreSQL: a throwaway cluster of Debian's postgresql, two formsvc serve on one database, "+
		"the load shared between them; one is killed again and again while the other keeps serving")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *kills < 1 || *kills > 1000 || *conc < 1 || *conc > 1024 || *minUp <= 0 || *maxUp < *minUp || *maxUp > time.Minute {
		return errors.New("want 1 ≤ -kills ≤ 1000, 1 ≤ -conc ≤ 1024, 0 < -min ≤ -max ≤ 1m")
	}
	if *dir == "" {
		d, err := os.MkdirTemp("", "formsvc-crash-*")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		*dir = d
	}
	rng := rand.New(rand.NewPCG(*seed, 0))
	bin, err := loadgen.BuildFormsvc(ctx, *dir)
	if err != nil {
		return err
	}
	data := filepath.Join(*dir, "data")
	if err := os.MkdirAll(filepath.Join(data, "site"), 0o700); err != nil {
		return err
	}
	if *pg {
		return runPG(ctx, out, bin, data, crash{kills: *kills, conc: *conc, minUp: *minUp, maxUp: *maxUp, seed: *seed, rng: rng})
	}
	fmt.Fprintf(out, "formsvc serve (defaults: WAL, synchronous=FULL, group commit), %d clients posting JSON tips; SIGKILL after a random %s–%s under load, %d times; seed %d\n\n",
		*conc, *minUp, *maxUp, *kills, *seed)
	fmt.Fprintf(out, "Load average before: %s.\n\n", loadgen.LoadAverage())

	var mu sync.Mutex
	var acked []string
	var errorsSeen int64
	for k := 1; k <= *kills && ctx.Err() == nil; k++ {
		srv, err := loadgen.Start(bin, loadgen.ServeArgs(data))
		if err != nil {
			return fmt.Errorf("start %d (after %d kills): %w", k, k-1, err)
		}
		lctx, cancel := context.WithCancel(ctx)
		done := make(chan loadgen.Result, 1)
		go func() {
			done <- loadgen.Run(lctx, loadgen.Load{URL: srv.URL, Conc: *conc, Duration: time.Minute, MaxRequests: 1_000_000,
				Receipts: func(r string) {
					mu.Lock()
					acked = append(acked, r)
					mu.Unlock()
				}})
		}()
		up := *minUp + time.Duration(rng.Int64N(int64(*maxUp-*minUp)+1))
		select {
		case <-time.After(up):
		case <-ctx.Done():
		}
		if err := srv.Kill(); err != nil {
			cancel()
			return fmt.Errorf("kill %d: %w", k, err)
		}
		cancel()
		r := <-done
		errorsSeen += r.Errors
		mu.Lock()
		total := len(acked)
		mu.Unlock()
		fmt.Fprintf(out, "kill %2d after %5s: %6d acknowledged in this run, %7d in all\n", k, up.Round(time.Millisecond), r.Accepted, total)
	}

	// Once more, cleanly: the service starts on what the kills left.
	srv, err := loadgen.Start(bin, loadgen.ServeArgs(data))
	if err != nil {
		return fmt.Errorf("start after the last kill: %w", err)
	}
	res, err := http.Get(srv.URL + "/healthz")
	if err != nil {
		srv.Kill()
		return err
	}
	res.Body.Close()
	if err := srv.Stop(); err != nil {
		return fmt.Errorf("clean stop: %w", err)
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("healthz after the kills: %d", res.StatusCode)
	}

	found, lost, stored, check, err := verify(ctx, data, acked)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nLoad average after: %s.\n", loadgen.LoadAverage())
	fmt.Fprintf(out, "\n| kills | acknowledged (201) | found | lost | stored in all | integrity_check |\n|---:|---:|---:|---:|---:|---|\n")
	fmt.Fprintf(out, "| %d | %d | %d | **%d** | %d | %s |\n\n", *kills, len(acked), found, lost, stored, check)
	fmt.Fprintf(out, "Stored but not acknowledged: %d (committed while the answer was cut by the kill: the client did not get its receipt). Failed requests (refused or cut by the kills): %d.\n",
		stored-found, errorsSeen)
	if lost > 0 || check != "ok" {
		return fmt.Errorf("%d acknowledged submissions lost, integrity_check %q", lost, check)
	}
	return nil
}

// verify opens the database the way the service does, with the key file,
// and looks up every acknowledged receipt.
func verify(ctx context.Context, data string, acked []string) (found, lost, stored int, check string, err error) {
	keys, err := formsvc.LoadOrCreateKeyFile(filepath.Join(data, "formsvc.key"))
	if err != nil {
		return
	}
	db, err := sqlite.Open(ctx, filepath.Join(data, "formsvc.db"), keys)
	if err != nil {
		return
	}
	defer db.Close()
	if found, lost, err = lookUp(ctx, db, keys, acked); err != nil {
		return
	}
	raw, err := sql.Open("sqlite", sqlite.FileURI(db.Path)+"?mode=ro")
	if err != nil {
		return
	}
	defer raw.Close()
	rows, err := raw.QueryContext(ctx, "SELECT (SELECT count(*) FROM submissions), (SELECT group_concat(integrity_check) FROM pragma_integrity_check)")
	if err != nil {
		return
	}
	defer rows.Close()
	if rows.Next() {
		err = rows.Scan(&stored, &check)
	}
	return found, lost, stored, check, err
}

// lookUp finds every acknowledged receipt in db, as the follow-up page
// does: found with its content, or lost.
func lookUp(ctx context.Context, db formsvc.FollowUpService, keys *formsvc.Keys, acked []string) (found, lost int, err error) {
	hasher := formsvc.NewReceiptHasher(keys.Receipt)
	for _, a := range acked {
		r, ok := formsvc.ParseReceipt(a)
		if !ok {
			return 0, 0, fmt.Errorf("receipt %q does not parse", a)
		}
		s, err := db.SubmissionByReceipt(ctx, hasher.Hash(r))
		switch {
		case formsvc.ErrorCode(err) == formsvc.ENOTFOUND:
			lost++
		case err != nil:
			return 0, 0, err
		case s.Content.Text["location"] == "":
			return 0, 0, fmt.Errorf("receipt %s: a record without its content", a)
		default:
			found++
		}
	}
	return found, lost, nil
}
