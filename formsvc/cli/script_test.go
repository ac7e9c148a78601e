package cli_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/hoaphong/phongchongmaidam/formsvc/cli"
)

// The formsvc command, run by the txtar scripts in testdata/script as a
// real process with its own arguments, standard input and output, and
// stopped by a signal the way main stops it (kill -INT in a script).
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"formsvc": func() {
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			code := cli.Run(ctx, os.Args, os.Getenv, os.Stdin, os.Stdout, os.Stderr)
			stop()
			os.Exit(code)
		},
	})
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			// Each script gets its own database and key file.
			env.Setenv("FORMSVC_DB", env.WorkDir+"/var/formsvc.db")
			env.Setenv("FORMSVC_KEY_FILE", env.WorkDir+"/var/formsvc.key")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"freeport": cmdFreePort,
			"waithttp": cmdWaitHTTP,
			"post":     cmdPost,
		},
	})
}

// freeport VAR sets VAR to a TCP port on 127.0.0.1 that was free a moment
// ago, for a `formsvc serve` started in the background.
func cmdFreePort(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: freeport VAR")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	ts.Setenv(args[0], fmt.Sprint(ln.Addr().(*net.TCPAddr).Port))
	ts.Check(ln.Close())
}

// waithttp URL waits until URL answers 200 (a server started in the
// background is up), for at most 30 seconds.
func cmdWaitHTTP(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: waithttp URL")
	}
	var last error
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		res, err := http.Get(args[0])
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
			err = fmt.Errorf("status %d", res.StatusCode)
		}
		last = err
	}
	ts.Fatalf("%s did not answer 200 within 30 s: %v", args[0], last)
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
