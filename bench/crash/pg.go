package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hoaphong/phongchongmaidam/bench/internal/loadgen"
	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/postgres"
	"github.com/hoaphong/phongchongmaidam/internal/pgcluster"
)

// crash is the run's settings.
type crash struct {
	kills, conc  int
	minUp, maxUp time.Duration
	seed         uint64
	rng          *rand.Rand
}

// runPG starts a throwaway PostgreSQL cluster (fsync on,
// synchronous_commit on: internal/pgcluster) and two `formsvc serve` on
// one database of it. Instance B serves all along; instance A is killed
// with SIGKILL after a random time under load, and started again, k
// times. Half the clients post to A, half to B. At the end every receipt
// answered with a 201, by either, must open its tip in the database, and
// every stored record must open under the key.
func runPG(ctx context.Context, out io.Writer, bin, data string, c crash) error {
	cluster, err := pgcluster.Start(ctx)
	if err != nil {
		return err
	}
	defer cluster.Stop()
	dsn, err := cluster.CreateDatabase(ctx, "crash")
	if err != nil {
		return err
	}
	args := loadgen.ServeArgsOn(data, dsn)
	// A first, alone: it migrates the new database and makes the key file
	// that B then reads.
	a, err := loadgen.Start(bin, args)
	if err != nil {
		return fmt.Errorf("start A: %w", err)
	}
	b, err := loadgen.Start(bin, args)
	if err != nil {
		a.Kill()
		return fmt.Errorf("start B: %w", err)
	}
	toA, toB := max(c.conc/2, 1), max(c.conc-c.conc/2, 1)
	fmt.Fprintf(out, "PostgreSQL (%s; fsync on, synchronous_commit on), two formsvc serve on one database; %d clients post JSON tips to A and %d to B; "+
		"A gets SIGKILL after a random %s–%s under load and is started again, %d times, while B keeps serving; seed %d\n\n",
		cluster.Bin, toA, toB, c.minUp, c.maxUp, c.kills, c.seed)
	fmt.Fprintf(out, "Load average before: %s.\n\n", loadgen.LoadAverage())

	var mu sync.Mutex
	var acked []string
	record := func(n *atomic.Int64) func(string) {
		return func(r string) {
			mu.Lock()
			acked = append(acked, r)
			mu.Unlock()
			n.Add(1)
		}
	}
	var byA, byB atomic.Int64
	bctx, stopB := context.WithCancel(ctx)
	bdone := make(chan loadgen.Result, 1)
	go func() {
		bdone <- loadgen.Run(bctx, loadgen.Load{URL: b.URL, Conc: toB, Duration: time.Hour, MaxRequests: 100_000_000, Receipts: record(&byB)})
	}()
	var errorsA int64
	var killErr error
	for k := 1; k <= c.kills && ctx.Err() == nil; k++ {
		if k > 1 {
			if a, err = loadgen.Start(bin, args); err != nil {
				killErr = fmt.Errorf("start A %d (after %d kills): %w", k, k-1, err)
				break
			}
		}
		actx, cancel := context.WithCancel(ctx)
		done := make(chan loadgen.Result, 1)
		go func() {
			done <- loadgen.Run(actx, loadgen.Load{URL: a.URL, Conc: toA, Duration: time.Minute, MaxRequests: 1_000_000, Receipts: record(&byA)})
		}()
		up := c.minUp + time.Duration(c.rng.Int64N(int64(c.maxUp-c.minUp)+1))
		select {
		case <-time.After(up):
		case <-ctx.Done():
		}
		if err := a.Kill(); err != nil {
			cancel()
			killErr = fmt.Errorf("kill %d: %w", k, err)
			break
		}
		cancel()
		r := <-done
		errorsA += r.Errors
		mu.Lock()
		total := len(acked)
		mu.Unlock()
		fmt.Fprintf(out, "kill %2d of A after %5s: %6d acknowledged by A in this run; B %7d so far; %7d in all\n",
			k, up.Round(time.Millisecond), r.Accepted, byB.Load(), total)
	}
	stopB()
	rb := <-bdone
	if killErr != nil {
		b.Kill()
		return killErr
	}

	// A once more, cleanly, beside B: both healthy, then both stopped.
	a, err = loadgen.Start(bin, args)
	if err != nil {
		b.Kill()
		return fmt.Errorf("start A after the last kill: %w", err)
	}
	for _, s := range []*loadgen.Server{a, b} {
		res, err := http.Get(s.URL + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				err = fmt.Errorf("healthz after the kills: %d", res.StatusCode)
			}
		}
		if err != nil {
			a.Kill()
			b.Kill()
			return err
		}
	}
	if err := a.Stop(); err != nil {
		b.Kill()
		return fmt.Errorf("clean stop of A: %w", err)
	}
	if err := b.Stop(); err != nil {
		return fmt.Errorf("clean stop of B: %w", err)
	}

	found, lost, stored, opened, err := verifyPG(ctx, dsn, filepath.Join(data, "formsvc.key"), acked)
	if err != nil {
		return err
	}
	check := "all open"
	if opened != stored {
		check = fmt.Sprintf("%d of %d open", opened, stored)
	}
	fmt.Fprintf(out, "\nLoad average after: %s.\n", loadgen.LoadAverage())
	fmt.Fprintf(out, "\n| kills of A | acknowledged (201) by A | by B | found | lost | stored in all | stored records opened |\n|---:|---:|---:|---:|---:|---:|---|\n")
	fmt.Fprintf(out, "| %d | %d | %d | %d | **%d** | %d | %s |\n\n", c.kills, byA.Load(), byB.Load(), found, lost, stored, check)
	fmt.Fprintf(out, "Stored but not acknowledged: %d (committed while A's answer was cut by the kill). Failed requests to A (refused or cut by the kills): %d; to B: %d.\n",
		stored-found, errorsA, rb.Errors)
	if lost > 0 || opened != stored {
		return fmt.Errorf("%d acknowledged submissions lost, %d of %d stored records open", lost, opened, stored)
	}
	return nil
}

// verifyPG opens the database the way the service does, with the key
// file, looks up every acknowledged receipt, and streams every stored
// record, opened (EachSubmission fails on one that does not open).
func verifyPG(ctx context.Context, dsn, keyFile string, acked []string) (found, lost, stored, opened int, err error) {
	keys, err := formsvc.LoadKeyFile(keyFile)
	if err != nil {
		return
	}
	db, err := postgres.Open(ctx, dsn, keys)
	if err != nil {
		return
	}
	defer db.Close()
	if found, lost, err = lookUp(ctx, db, keys, acked); err != nil {
		return
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return
	}
	defer conn.Close(ctx)
	if err = conn.QueryRow(ctx, `SELECT count(*) FROM submissions`).Scan(&stored); err != nil {
		return
	}
	all := formsvc.CaseFilter{Kinds: []formsvc.Kind{formsvc.KindTip, formsvc.KindSupport}}
	err = db.EachSubmission(ctx, all, func(*formsvc.Submission) error { opened++; return nil }, nil)
	return found, lost, stored, opened, err
}
