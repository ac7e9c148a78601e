package cli_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/postgres"
	"github.com/hoaphong/phongchongmaidam/internal/pgtest"
)

// answerBound is how long one request may take during the outage before
// the test calls it a hang: a bound on liveness, not a speed check.
const answerBound = 30 * time.Second

// outageLog collects what the posting clients got.
type outageLog struct {
	mu       sync.Mutex
	receipts []string
	created  atomic.Int64 // 201s
	refused  atomic.Int64 // 503s
	wrong    []string     // anything else
}

func (o *outageLog) bad(format string, args ...any) {
	o.mu.Lock()
	o.wrong = append(o.wrong, fmt.Sprintf(format, args...))
	o.mu.Unlock()
}

// post sends one JSON tip and sorts its answer.
func (o *outageLog) post(client *http.Client, base string, n int) {
	body := fmt.Sprintf(`{"category":"karaoke","location":"Quán karaoke thôn %d","description":"Có người lạ đưa em gái nhỏ tuổi đến tiếp khách, lần %d."}`, n%12+1, n)
	res, err := client.Post(base+"/api/v1/tips", "application/json", strings.NewReader(body))
	if err != nil {
		o.bad("tip %d: %v (no answer within %s?)", n, err, answerBound)
		return
	}
	b, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		o.bad("tip %d: reading the answer: %v", n, err)
		return
	}
	var a struct{ Receipt, Error, Message string }
	jerr := json.Unmarshal(b, &a)
	switch {
	case res.StatusCode == http.StatusCreated && jerr == nil && a.Receipt != "":
		o.mu.Lock()
		o.receipts = append(o.receipts, a.Receipt)
		o.mu.Unlock()
		o.created.Add(1)
	case res.StatusCode == http.StatusServiceUnavailable && jerr == nil && a.Error == formsvc.EUNAVAILABLE &&
		strings.Contains(a.Message, "Vui lòng gửi lại") && res.Header.Get("Retry-After") != "":
		o.refused.Add(1)
	default:
		o.bad("tip %d: %d %s", n, res.StatusCode, b)
	}
}

// waitUntil polls cond every 20 ms until it holds, or fails the test
// after a minute (a bound on liveness, not a speed check).
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within a minute: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func health(client *http.Client, base string) (int, string) {
	res, err := client.Get(base + "/healthz")
	if err != nil {
		return 0, err.Error()
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// A PostgreSQL restart (fast, then immediate) while clients post tips to
// `formsvc serve`: each answer is 201 or 503 with the service's JSON error
// and a Retry-After, none hangs; /healthz says 503 while the database is
// down and 200 after; tips are accepted again after each restart without
// restarting formsvc; and every receipt given with a 201 opens its tip in
// the database at the end.
func TestServeThroughPostgresRestart(t *testing.T) {
	ctx := context.Background()
	c, err := pgtest.Start(ctx) // a cluster of its own: the shared one is not restarted under other tests
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	dsn, err := c.CreateDatabase(ctx, "restart")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "f.key")
	base, logs := serveAt(t, "--db", dsn, "--key-file", keyFile, "--site", dir,
		"--submit-limit", "off", "--submit-global-limit", "off")
	client := &http.Client{Timeout: answerBound}

	var o outageLog
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var sent atomic.Int64
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				o.post(client, base, int(sent.Add(1)))
				time.Sleep(2 * time.Millisecond)
			}
		}()
	}
	stopped := false
	stopClients := func() {
		if !stopped {
			stopped = true
			close(stop)
			wg.Wait()
		}
	}
	defer stopClients()

	waitUntil(t, "20 tips accepted before the restarts", func() bool { return o.created.Load() >= 20 })
	for _, mode := range []pgtest.StopMode{pgtest.Fast, pgtest.Immediate} {
		name := map[pgtest.StopMode]string{pgtest.Fast: "fast", pgtest.Immediate: "immediate"}[mode]
		if err := c.StopServer(mode); err != nil {
			t.Fatal(err)
		}
		refused := o.refused.Load()
		waitUntil(t, name+" stop: 10 tips refused with 503", func() bool { return o.refused.Load() >= refused+10 })
		// The store trusts a committed probe for a second; then it probes.
		waitUntil(t, name+" stop: /healthz says 503", func() bool {
			code, body := health(client, base)
			return code == http.StatusServiceUnavailable && strings.Contains(body, `"unavailable"`)
		})
		if err := c.StartServer(ctx); err != nil {
			t.Fatal(err)
		}
		created := o.created.Load()
		waitUntil(t, name+" stop: 20 tips accepted after the start, formsvc not restarted", func() bool {
			return o.created.Load() >= created+20
		})
		waitUntil(t, name+" stop: /healthz says 200 after the start", func() bool {
			code, _ := health(client, base)
			return code == http.StatusOK
		})
	}
	stopClients()
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, w := range o.wrong {
		t.Errorf("an answer neither 201 nor the 503 of the outage: %s", w)
	}
	t.Logf("%d tips sent: %d accepted, %d refused with 503", sent.Load(), o.created.Load(), o.refused.Load())

	keys, err := formsvc.LoadKeyFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	db, err := postgres.Open(ctx, dsn, keys)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	hasher := formsvc.NewReceiptHasher(keys.Receipt)
	for _, a := range o.receipts {
		r, ok := formsvc.ParseReceipt(a)
		if !ok {
			t.Fatalf("receipt %q does not parse", a)
		}
		s, err := db.SubmissionByReceipt(ctx, hasher.Hash(r))
		if err != nil {
			t.Errorf("receipt %s, answered 201: %v", a, err)
			continue
		}
		if !strings.HasPrefix(s.Content.Text["location"], "Quán karaoke thôn") {
			t.Errorf("receipt %s: content %v", a, s.Content.Text)
		}
	}
	if t.Failed() {
		t.Logf("serve's log:\n%.3000s", logs.String())
	}
}
