// Package pgtest starts a throwaway PostgreSQL cluster for tests, from
// Debian's postgresql package (/usr/lib/postgresql/*/bin), in a folder of
// its own under the system's temporary folder (internal/pgcluster). The
// server listens only on a unix socket in that folder (no TCP port),
// keeps fsync on, and is stopped and removed at the end.
//
// A test package shares one cluster between its tests, started on first
// use: its TestMain calls Main, and each test takes a fresh, empty
// database of its own with NewDatabase.
//
// initdb and postgres refuse to run as root: run as root (a container, a
// CI runner), the cluster's programs run as the unprivileged user nobody,
// and the folder is theirs.
//
// Without Debian's postgresql the tests that need it fail, saying what to
// install: scripts/test.sh installs it, and a check skipped in silence is
// no check.
package pgtest

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hoaphong/phongchongmaidam/internal/pgcluster"
)

// The cluster itself is internal/pgcluster's (shared with the benchmarks
// under bench/); these names are its.
type (
	Cluster  = pgcluster.Cluster
	StopMode = pgcluster.StopMode
)

const (
	Superuser    = pgcluster.Superuser
	StartTimeout = pgcluster.StartTimeout
	Fast         = pgcluster.Fast
	Immediate    = pgcluster.Immediate
)

// ErrMissing is in the chain of Start's error when Debian's PostgreSQL is
// not installed.
var ErrMissing = pgcluster.ErrMissing

// Bin finds the folder of Debian's PostgreSQL programs.
func Bin() (string, error) { return pgcluster.Bin() }

// Start makes a new cluster of its own in a new temporary folder and
// starts it; the caller stops it (Stop also removes the folder).
func Start(ctx context.Context) (*Cluster, error) { return pgcluster.Start(ctx) }

// The package's shared cluster, started by the first NewDatabase.
var shared struct {
	once    sync.Once
	cluster *Cluster
	err     error
	mu      sync.Mutex
	used    bool // Main is in charge of stopping it
}

// Main runs a test package's tests (call it from TestMain, as
// os.Exit(pgtest.Main(m))) and stops the shared cluster, if one was
// started, at the end.
func Main(m *testing.M) int {
	shared.mu.Lock()
	shared.used = true
	shared.mu.Unlock()
	code := m.Run()
	if c := sharedCluster(); c != nil {
		if err := c.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest: stop:", err)
			if code == 0 {
				code = 1
			}
		}
	}
	return code
}

func sharedCluster() *Cluster {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	return shared.cluster
}

// databases counts the databases made by NewDatabase.
var databases atomic.Int64

// Shared is the package's cluster, started on first use. The test fails
// if PostgreSQL is missing or does not start, or if the package's
// TestMain does not call Main (nothing would stop the cluster).
func Shared(t testing.TB) *Cluster {
	t.Helper()
	shared.mu.Lock()
	used := shared.used
	shared.mu.Unlock()
	if !used {
		t.Fatal("pgtest: the package's TestMain must call pgtest.Main, which stops the cluster")
	}
	shared.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), StartTimeout)
		defer cancel()
		c, err := Start(ctx)
		shared.mu.Lock()
		shared.cluster, shared.err = c, err
		shared.mu.Unlock()
		if err == nil {
			fmt.Fprintf(os.Stderr, "pgtest: PostgreSQL (%s) started in %s\n", c.Bin, c.Started.Round(time.Millisecond))
		}
	})
	if shared.err != nil {
		t.Fatalf("pgtest: %v", shared.err)
	}
	return shared.cluster
}

// NewDatabase makes a fresh, empty database on the shared cluster for
// one test and returns its DSN. It is dropped at the test's end.
func NewDatabase(t testing.TB) string {
	t.Helper()
	c := Shared(t)
	ctx := context.Background()
	name := fmt.Sprintf("t%d_%d", os.Getpid(), databases.Add(1))
	dsn, err := c.CreateDatabase(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, c.DSN("postgres"))
		if err != nil {
			t.Errorf("drop database %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		// WITH (FORCE) ends the sessions a test left open.
		if _, err := conn.Exec(ctx, "DROP DATABASE "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	return dsn
}

// Dollars numbers the ? of a query written for SQLite as $1, $2… for
// PostgreSQL (tests' own queries; none has a ? inside a string).
func Dollars(q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
