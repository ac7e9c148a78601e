// Package e2e drives the whole system as a person does: the real Hugo
// build, the real formsvc binary, and Debian's Chromium through chromedp,
// with JavaScript on and off. The service runs on the store that
// FORMSVC_TEST_STORE names (internal/teststore): SQLite on a file of the
// test's (the default), or PostgreSQL on a fresh database of the
// package's throwaway cluster, started on first use.
package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/internal/testsite"
	"github.com/hoaphong/phongchongmaidam/internal/teststore"
)

// Chromium is Debian's browser; .ci/run installs it.
const Chromium = "/usr/bin/chromium"

var binary string // the formsvc binary built for this run

const testVersion = "v0.0.0-e2e"

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "formsvc-bin-*")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "formsvc")
	// The deployment build: one static binary, no cgo.
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-X github.com/hoaphong/phongchongmaidam/formsvc/cli.Version="+testVersion,
		"-o", binary, "./formsvc/cmd/formsvc")
	cmd.Dir = testsite.Root()
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build formsvc: %v\n%s", err, out)
		os.Exit(1)
	}
	code := teststore.Main(m) // on PostgreSQL, stops the cluster
	os.RemoveAll(dir)
	testsite.Cleanup()
	os.Exit(code)
}

// service is a running `formsvc serve`.
type service struct {
	URL     string
	DB      string // --db: a SQLite file or a PostgreSQL DSN
	KeyPath string
	cmd     *exec.Cmd
	logs    *syncLog
	done    chan error
}

var urlRe = regexp.MustCompile(`url=(http://127\.0\.0\.1:\d+)/`)

// syncLog is the service's log, written by the goroutine that reads its
// stderr and read by the test.
type syncLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *syncLog) WriteString(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.WriteString(s)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startService runs the real binary on a free loopback port with a fresh
// database of the test's store, and stops it (SIGTERM) when the test
// ends, before the database is given back.
func startService(t *testing.T, args ...string) *service {
	t.Helper()
	s := &service{DB: teststore.NewDatabase(t), KeyPath: filepath.Join(t.TempDir(), "formsvc.key"),
		logs: &syncLog{}, done: make(chan error, 1)}
	s.cmd = exec.Command(binary, append([]string{"serve", "--addr", "127.0.0.1:0", "--db", s.DB,
		"--key-file", s.KeyPath, "--site", testsite.Build(t)}, args...)...)
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			s.logs.WriteString(line + "\n")
			if m := urlRe.FindStringSubmatch(line); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
		io.Copy(io.Discard, stderr)
		s.done <- s.cmd.Wait()
	}()
	select {
	case s.URL = <-found:
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		t.Fatalf("formsvc did not start:\n%s", s.logs.String())
	}
	t.Cleanup(func() { s.stop(t) })
	return s
}

// stop sends SIGTERM and waits for a clean exit.
func (s *service) stop(t *testing.T) {
	if s.cmd.ProcessState != nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("formsvc exited with %v after SIGTERM:\n%s", err, s.logs.String())
		}
	case <-time.After(40 * time.Second):
		s.cmd.Process.Kill()
		t.Errorf("formsvc did not stop within 40 s of SIGTERM")
	}
}

// open opens the service's database with its key file, as the officer
// side would, until the test ends.
func (s *service) open(t *testing.T) (*teststore.DB, *formsvc.Keys) {
	t.Helper()
	keys, err := formsvc.LoadOrCreateKeyFile(s.KeyPath)
	if err != nil {
		t.Fatal(err)
	}
	return teststore.OpenAt(t, s.DB, keys), keys
}

// findByReceipt finds a submission by its receipt.
func (s *service) findByReceipt(t *testing.T, receipt string) *formsvc.Submission {
	t.Helper()
	db, keys := s.open(t)
	defer db.Close()
	r, ok := formsvc.ParseReceipt(receipt)
	if !ok {
		t.Fatalf("receipt %q is not 16 digits", receipt)
	}
	sub, err := db.SubmissionByReceipt(context.Background(), formsvc.NewReceiptHasher(keys.Receipt).Hash(r))
	if err != nil {
		t.Fatalf("find the submission of receipt %s: %v", receipt, err)
	}
	return sub
}

// count is the number of submissions in the service's database.
func (s *service) count(t *testing.T) int {
	t.Helper()
	db, _ := s.open(t)
	defer db.Close()
	return db.Count(t, "submissions")
}

// browser starts a headless Chromium with an empty profile and a 360×740
// phone screen (see viewport); js false turns JavaScript off for every
// page it opens.
func browser(t *testing.T, js bool) context.Context {
	t.Helper()
	return browserFor(t, js, 90*time.Second)
}

// browserFor is browser for a test whose steps take up to d together.
func browserFor(t *testing.T, js bool, d time.Duration) context.Context {
	t.Helper()
	if _, err := os.Stat(Chromium); err != nil {
		t.Fatalf("Chromium is missing at %s: run .ci/run, which installs Debian's chromium", Chromium)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(Chromium),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.WindowSize(360, 740),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, d)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !js}); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	viewport(t, ctx, 360, 740)
	return ctx
}

// viewport makes the screen width×height CSS pixels, a phone's (mobile:
// a page without a viewport meta tag, about:blank say, is laid out 980 px
// wide as on a phone) below 800 px wide. Headless
// Chromium keeps its window wider than chromedp.WindowSize(360, …) asks
// (485 px), so the size is emulated; it holds across navigations.
func viewport(t *testing.T, ctx context.Context, width, height int64) {
	t.Helper()
	if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
		Width: width, Height: height, DeviceScaleFactor: 1, Mobile: width < 800,
	}); err != nil {
		t.Fatalf("emulate a %d×%d screen: %v", width, height, err)
	}
}

// do runs browser steps and fails the test on the first error.
func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// get runs one browser step that reads a value.
func get[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
