// Package pgcluster starts a throwaway PostgreSQL cluster from Debian's
// postgresql package (/usr/lib/postgresql/*/bin), in a folder of its own
// under the system's temporary folder, for tests (through
// internal/pgtest) and the benchmarks under bench/. The server
// listens only on a unix socket in that folder (no TCP port), keeps fsync
// on, and is stopped and its folder removed by Stop. StopServer and
// StartServer stop it (as pg_ctl stop -m fast or immediate would) and
// start it again on the same data, for tests of an outage.
//
// initdb and postgres refuse to run as root: run as root (a container, a
// CI runner), the cluster's programs run as the unprivileged user nobody,
// and the folder is theirs.
//
// It is not a way to run PostgreSQL in production: the cluster trusts
// every local connection and is deleted at the end.
package pgcluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// Superuser is the cluster's superuser (initdb -U): tests connect as it.
const Superuser = "postgres"

// StartTimeout bounds initdb and the server's start.
const StartTimeout = 2 * time.Minute

// ErrMissing is in the chain of Start's error when Debian's PostgreSQL is
// not installed.
var ErrMissing = errors.New("PostgreSQL is not installed: install Debian's postgresql (sudo apt-get install -y postgresql), " +
	"or run bash scripts/test.sh, which installs it")

// Bin finds the folder of Debian's PostgreSQL programs, the newest
// version if there are several.
func Bin() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	var found []string
	for _, d := range dirs {
		if fi, err := os.Stat(filepath.Join(d, "postgres")); err == nil && !fi.IsDir() {
			if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
				found = append(found, d)
			}
		}
	}
	if len(found) == 0 {
		return "", ErrMissing
	}
	version := func(d string) int {
		n, _ := strconv.Atoi(filepath.Base(filepath.Dir(d)))
		return n
	}
	sort.Slice(found, func(i, j int) bool { return version(found[i]) > version(found[j]) })
	return found[0], nil
}

// A Cluster is a running throwaway PostgreSQL server.
type Cluster struct {
	Dir     string // the cluster's folder: data, socket and log
	Bin     string // the folder of the PostgreSQL programs
	Started time.Duration

	cred *syscall.Credential // whom the programs run as; nil: this process's user
	cmd  *exec.Cmd
	done chan struct{} // closed when the server process has ended
}

// Start makes a new cluster in a new temporary folder and starts it.
func Start(ctx context.Context) (*Cluster, error) {
	began := time.Now()
	bin, err := Bin()
	if err != nil {
		return nil, err
	}
	// A short path: a unix socket's path has at most 107 bytes.
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{Dir: dir, Bin: bin}
	if os.Geteuid() == 0 {
		nobody, err := user.Lookup("nobody")
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("running as root, the cluster runs as nobody: %w", err)
		}
		uid, _ := strconv.Atoi(nobody.Uid)
		gid, _ := strconv.Atoi(nobody.Gid)
		c.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: true}
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	if err := c.initdb(ctx); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := c.start(ctx); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	c.Started = time.Since(began)
	return c, nil
}

func (c *Cluster) data() string { return filepath.Join(c.Dir, "data") }

func (c *Cluster) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(c.Bin, name), args...)
	cmd.Dir = c.Dir
	// No PG* variable of the caller's (PGDATA, PGPORT…) reaches the cluster.
	cmd.Env = []string{"PATH=/usr/bin:/bin", "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "TZ=UTC", "HOME=" + c.Dir}
	// Ask the server to shut down fast if this process dies without
	// stopping it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred, Pdeathsig: syscall.SIGINT}
	return cmd
}

// initdb makes the cluster's data folder. --no-sync skips flushing the
// new files once, at creation: a throwaway cluster is made again, never
// recovered, if the machine stops now. The server itself runs with fsync
// on (see start): a commit in the tests is flushed as in production.
func (c *Cluster) initdb(ctx context.Context) error {
	out, err := c.command(ctx, "initdb", "-D", c.data(), "-U", Superuser, "--auth=trust",
		"--encoding=UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions").CombinedOutput()
	if err != nil {
		return fmt.Errorf("initdb: %w\n%s", err, out)
	}
	return nil
}

// start runs the server as a child of this process, listening only on
// its socket in c.Dir, and waits until it accepts connections.
func (c *Cluster) start(ctx context.Context) error {
	logPath := filepath.Join(c.Dir, "postgres.log")
	log, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer log.Close()
	if c.cred != nil {
		if err := os.Chown(logPath, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
			return err
		}
	}
	// Not CommandContext's context: the server outlives Start.
	cmd := c.command(context.Background(), "postgres", "-D", c.data(),
		"-c", "listen_addresses=", "-c", "unix_socket_directories="+c.Dir,
		"-c", "fsync=on", "-c", "synchronous_commit=on", "-c", "full_page_writes=on",
		"-c", "max_connections=200", "-c", "shared_buffers=32MB", "-c", "log_min_messages=warning")
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	c.cmd = cmd
	c.done = make(chan struct{})
	go func() { cmd.Wait(); close(c.done) }()
	deadline := time.Now().Add(StartTimeout)
	for {
		conn, err := pgx.Connect(ctx, c.DSN("postgres"))
		if err == nil {
			conn.Close(ctx)
			return nil
		}
		select {
		case <-c.done:
			c.cmd = nil
			b, _ := os.ReadFile(logPath)
			return fmt.Errorf("postgres stopped at start: %s\n%s", cmd.ProcessState, b)
		case <-ctx.Done():
			c.StopServer(Fast) // the folder stays: Start removes a new one, StartServer keeps the data
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			c.StopServer(Fast)
			b, _ := os.ReadFile(logPath)
			return fmt.Errorf("postgres did not accept connections within %s: %v\n%s", StartTimeout, err, b)
		}
	}
}

// PID is the server's process id (its backends are its children), 0
// when it is not running.
func (c *Cluster) PID() int {
	if c.cmd == nil || c.cmd.Process == nil {
		return 0
	}
	return c.cmd.Process.Pid
}

// DSN is the connection string of database db on the cluster, as the
// superuser, through the cluster's socket.
func (c *Cluster) DSN(db string) string {
	u := url.URL{Scheme: "postgres", User: url.User(Superuser), Path: "/" + db,
		RawQuery: url.Values{"host": {c.Dir}, "sslmode": {"disable"}}.Encode()}
	return u.String()
}

// CreateDatabase makes a new, empty database and returns its DSN.
func (c *Cluster) CreateDatabase(ctx context.Context, name string) (string, error) {
	conn, err := pgx.Connect(ctx, c.DSN("postgres"))
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	return c.DSN(name), nil
}

// Log is what the server has written to its log so far.
func (c *Cluster) Log() string {
	b, _ := os.ReadFile(filepath.Join(c.Dir, "postgres.log"))
	return string(bytes.TrimSpace(b))
}

// A StopMode is how StopServer stops the server, as pg_ctl stop -m does.
type StopMode int

const (
	// Fast ends open sessions, rolls back their transactions and writes a
	// checkpoint (SIGINT): nothing committed is lost.
	Fast StopMode = iota
	// Immediate stops at once, with no checkpoint (SIGQUIT): the next
	// start recovers from the write-ahead log, as after a crash.
	Immediate
)

// StopServer stops the server and keeps its folder, so that StartServer
// can start it again on the same data. It waits until the server process
// has ended.
func (c *Cluster) StopServer(mode StopMode) error {
	if c.cmd == nil || c.cmd.Process == nil {
		return errors.New("pgcluster: the server is not running")
	}
	sig := syscall.SIGINT
	if mode == Immediate {
		sig = syscall.SIGQUIT
	}
	if err := c.cmd.Process.Signal(sig); err != nil {
		return fmt.Errorf("pgcluster: stop: %w", err)
	}
	select {
	case <-c.done:
		c.cmd = nil
		return nil
	case <-time.After(time.Minute):
		c.cmd.Process.Kill()
		<-c.done
		c.cmd = nil
		return errors.New("pgcluster: postgres did not stop within a minute: killed")
	}
}

// StartServer starts the server again after StopServer, on the same
// data and socket, and waits until it accepts connections (after an
// immediate stop, once it has recovered).
func (c *Cluster) StartServer(ctx context.Context) error {
	if c.cmd != nil {
		return errors.New("pgcluster: the server is running")
	}
	return c.start(ctx)
}

// Stop shuts the server down (fast: open sessions are ended, nothing
// committed is lost) and removes its folder.
func (c *Cluster) Stop() error {
	var err error
	if c.cmd != nil && c.cmd.Process != nil {
		c.cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-c.done:
		case <-time.After(time.Minute):
			c.cmd.Process.Kill()
			<-c.done
			err = errors.New("postgres did not stop within a minute: killed")
		}
	}
	if rerr := os.RemoveAll(c.Dir); err == nil {
		err = rerr
	}
	return err
}

// Tool runs one of the cluster's client programs (pg_dump, pg_restore,
// psql…) as the cluster's user, in the cluster's folder, and returns
// what it printed. A backup drill uses it as an operator would.
func (c *Cluster) Tool(ctx context.Context, name string, args ...string) ([]byte, error) {
	out, err := c.command(ctx, name, args...).CombinedOutput()
	if err != nil {
		return out, fmt.Errorf("%s: %w: %s", name, err, out)
	}
	return out, nil
}
