package cli_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/hoaphong/phongchongmaidam/formsvc/cli"
	"github.com/hoaphong/phongchongmaidam/internal/pgtest"
)

// The formsvc command, run by the txtar scripts in testdata/script as a
// real process with its own arguments, standard input and output, and
// stopped by a signal the way main stops it (kill -INT in a script).
func TestMain(m *testing.M) {
	testscript.Main(withCluster{m}, map[string]func(){
		"formsvc": func() {
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			code := cli.Run(ctx, os.Args, os.Getenv, os.Stdin, os.Stdout, os.Stderr)
			stop()
			os.Exit(code)
		},
	})
}

// withCluster runs the tests through pgtest.Main, which stops the
// throwaway PostgreSQL cluster, if a test started it, at the end.
type withCluster struct{ m *testing.M }

func (w withCluster) Run() int { return pgtest.Main(w.m) }

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			// Each script gets its own database and key file.
			env.Setenv("FORMSVC_DB", env.WorkDir+"/var/formsvc.db")
			env.Setenv("FORMSVC_KEY_FILE", env.WorkDir+"/var/formsvc.key")
			env.Values[serversKey{}] = map[string]*server{}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"startserve": cmdStartServe,
			"stopserve":  cmdStopServe,
			"post":       cmdPost,
		},
	})
}

// A server is a `formsvc serve` that startserve started in the
// background, as a real process.
type server struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	log  strings.Builder // its stderr
	done chan error      // its exit, once its stderr is read to the end
}

func (s *server) logged() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.String()
}

// servers holds a script's background servers by name.
func servers(ts *testscript.TestScript) map[string]*server {
	return ts.Value(serversKey{}).(map[string]*server)
}

type serversKey struct{}

// startserve NAME [FLAG...] runs `formsvc serve --addr 127.0.0.1:0 FLAG...`
// in the background with the script's database and key file, reads its
// log as it comes until it says where it serves (no polling, no sleep),
// and sets $NAME to that URL. It fails if serve exits first.
func cmdStartServe(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 {
		ts.Fatalf("usage: startserve NAME [FLAG...]")
	}
	name := args[0]
	var bin string
	for _, dir := range filepath.SplitList(ts.Getenv("PATH")) {
		if fi, err := os.Stat(filepath.Join(dir, "formsvc")); err == nil && !fi.IsDir() {
			bin = filepath.Join(dir, "formsvc")
			break
		}
	}
	if bin == "" {
		ts.Fatalf("formsvc is not on the script's PATH")
	}
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args[1:]...)...)
	cmd.Dir = ts.MkAbs(".")
	cmd.Env = append(os.Environ(), "PATH="+ts.Getenv("PATH"),
		"FORMSVC_DB="+ts.Getenv("FORMSVC_DB"), "FORMSVC_KEY_FILE="+ts.Getenv("FORMSVC_KEY_FILE"))
	stderr, err := cmd.StderrPipe()
	ts.Check(err)
	ts.Check(cmd.Start())
	s := &server{cmd: cmd, done: make(chan error, 1)}
	servers(ts)[name] = s
	ts.Defer(func() { cmd.Process.Kill() })
	serving := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			s.mu.Lock()
			s.log.WriteString(sc.Text() + "\n")
			s.mu.Unlock()
			if m := urlRe.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case serving <- m[1]:
				default:
				}
			}
		}
		s.done <- cmd.Wait()
	}()
	select {
	case url := <-serving:
		ts.Setenv(name, url)
	case err := <-s.done:
		ts.Fatalf("serve ended before serving (%v):\n%s", err, s.logged())
	case <-time.After(30 * time.Second): // a guard, not a measure
		ts.Fatalf("serve did not say where it serves within 30 s:\n%s", s.logged())
	}
}

// stopserve NAME stops the server that startserve NAME started with
// SIGINT (what systemd's stop sends is SIGTERM; both end serve the same
// way), waits for it to exit and prints its log on stderr. It fails if
// serve exits with an error (unless negated).
func cmdStopServe(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 || servers(ts)[args[0]] == nil {
		ts.Fatalf("usage: stopserve NAME (of a startserve)")
	}
	s := servers(ts)[args[0]]
	delete(servers(ts), args[0])
	ts.Check(s.cmd.Process.Signal(os.Interrupt))
	err := <-s.done
	fmt.Fprint(ts.Stderr(), s.logged())
	if (err != nil) != neg {
		ts.Fatalf("serve exited: %v", err)
	}
}

// post URL FILE sends FILE as JSON and prints the status code and the
// body; it fails on a status of 400 or more (unless negated).
func cmdPost(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: post URL FILE")
	}
	res, err := http.Post(args[0], "application/json", strings.NewReader(ts.ReadFile(args[1])))
	ts.Check(err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	ts.Check(err)
	fmt.Fprintf(ts.Stdout(), "%d %s\n", res.StatusCode, body)
	if failed := res.StatusCode >= 400; failed != neg {
		ts.Fatalf("POST %s: status %d", args[0], res.StatusCode)
	}
}
