package cli_test

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc/alert"
	"github.com/hoaphong/phongchongmaidam/formsvc/alert/alerttest"
	"github.com/hoaphong/phongchongmaidam/formsvc/cli"
)

// `formsvc serve` with --smtp-url runs the dispatcher: the officer's
// digest comes first (--digest-at 00:00 is always past), then a tip's
// alert after --alert-delay, through a local relay without TLS or
// authentication; the service stops cleanly.
func TestServeSendsAlertsThroughALocalRelay(t *testing.T) {
	relay := alerttest.Start(t, alerttest.Options{})
	dir := t.TempDir()
	common := []string{"--db", filepath.Join(dir, "f.db"), "--key-file", filepath.Join(dir, "f.key")}
	noEnv := func(string) string { return "" }
	args := append([]string{"formsvc", "officer", "add", "--username", "congan", "--role", "police",
		"--email", "congan@xa.example", "--password-stdin"}, common...)
	var out lockedBuffer
	if c := cli.Run(context.Background(), args, noEnv, strings.NewReader("mat-khau-that-dai-2026\n"), &out, &out); c != 0 {
		t.Fatalf("officer add: %d\n%s", c, out.String())
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := &lockedBuffer{}
	exit := make(chan int, 1)
	args = append([]string{"formsvc", "serve", "--addr", "127.0.0.1:0", "--smtp-url", "smtp://" + relay.Addr,
		"--mail-from", "canh-bao@xa.example", "--alert-delay", "1s", "--digest-at", "00:00",
		"--console-url", "https://dichvu.xa.example/officer/", "--site", dir}, common...)
	go func() { exit <- cli.Run(ctx, args, noEnv, nil, io.Discard, logs) }()

	wait, stop := context.WithTimeout(context.Background(), 60*time.Second)
	defer stop()
	mails, err := relay.Wait(wait, 1)
	if err != nil || mails[0].Subject() != alert.Subject("digest") {
		t.Fatalf("first mail: %v, %v; want the digest\n%s", mails, err, logs.String())
	}
	// The dispatcher starts after the service logs its address, so the
	// digest's arrival means the address is in the log.
	m := urlRe.FindStringSubmatch(logs.String())
	if m == nil {
		t.Fatalf("no address in the log:\n%s", logs.String())
	}
	res, err := http.Post(m[1]+"/api/v1/tips", "application/json",
		strings.NewReader(`{"category":"massage","location":"Tiệm Y","description":"Người lạ ra vào ban đêm"}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("tip: %d", res.StatusCode)
	}
	mails, err = relay.Wait(wait, 2)
	if err != nil {
		t.Fatalf("no alert for the tip: %v\n%s", err, logs.String())
	}
	tip := mails[1]
	if tip.Subject() != alert.Subject("new") || !strings.Contains(tip.Body(), "- Tin báo: 1") ||
		!strings.Contains(tip.Body(), "https://dichvu.xa.example/officer/") || strings.Contains(tip.Body(), "Tiệm Y") {
		t.Errorf("alert %q:\n%s", tip.Subject(), tip.Body())
	}
	cancel()
	if c := <-exit; c != 0 {
		t.Errorf("exit %d:\n%s", c, logs.String())
	}
	if !strings.Contains(logs.String(), "gửi thông báo cho cán bộ") {
		t.Errorf("the log does not say alerts are on:\n%s", logs.String())
	}
}
