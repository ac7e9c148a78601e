package web_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/internal/window"
	"github.com/hoaphong/phongchongmaidam/formsvc/web"
)

const ipHeader = "X-Nf-Client-Connection-Ip"

// ok reports whether a submission was accepted: 201 for JSON, 303 to
// the receipt page for a plain post.
func ok(res *http.Response) bool {
	return res.StatusCode == http.StatusCreated || (res.StatusCode == http.StatusSeeOther && strings.HasPrefix(res.Header.Get("Location"), "/api/v1/receipts/"))
}

// tipFrom posts a valid tip as JSON (the site's JavaScript) or as a plain
// form post, from address ip, with extra headers.
func (e *env) tipFrom(script bool, ip string, headers ...string) *http.Response {
	e.t.Helper()
	enc := encodings[0]
	if script {
		enc = encodings[2]
	}
	ct, body := enc.encode(e.t, validTip(), nil)
	return e.post("/api/v1/tips", ct, body, append([]string{ipHeader, ip}, headers...)...)
}

// TestJunkFromOneAddressDoesNotShutReportingDown: the attack of the issue
// with the default limits: 600 posts of the wrong type and 2,000 junk
// follow-ups from one address, then everyone else still gets through.
func TestJunkFromOneAddressDoesNotShutReportingDown(t *testing.T) {
	e := newEnvWith(t, behindProxy(web.DefaultLimits))
	h := e.srv.Config.Handler
	codes := map[int]int{}
	for i := range 600 {
		path := []string{"/api/v1/tips", "/api/v1/support-requests"}[i%2]
		codes[serve(h, "POST", path, "text/plain", "rác", ipHeader, "198.51.100.66").Code]++
	}
	for range 2000 {
		codes[serve(h, "POST", "/api/v1/follow-up", "application/json", `{"receipt": 12}`, ipHeader, "198.51.100.66").Code]++
	}
	if codes[http.StatusUnsupportedMediaType] == 0 || codes[http.StatusTooManyRequests] == 0 {
		t.Fatalf("the junk was not refused as expected: %v", codes)
	}
	for i, script := range []bool{true, false, true, false} {
		if res := e.tipFrom(script, fmt.Sprintf("203.0.113.%d", 10+i)); !ok(res) {
			t.Errorf("tip %d from another address after the junk: Status = %d, want 201", i, res.StatusCode)
		}
	}
	for i := range 4 {
		res := e.postJSON("/api/v1/follow-up", map[string]string{"receipt": "0000-0000-0000-0001"}, ipHeader, fmt.Sprintf("203.0.113.%d", 30+i))
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("follow-up %d from another address after the junk: Status = %d, want 404 (looked up)", i, res.StatusCode)
		}
	}
}

// TestSteadyFloodFromOneAddressOthersStillGet201: one address sends valid
// tips as fast as 8 connections allow, with the default limits; a person on
// another address gets 201 every time, in the middle of it.
func TestSteadyFloodFromOneAddressOthersStillGet201(t *testing.T) {
	e := newEnvWith(t, behindProxy(web.DefaultLimits))
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				ct, body := encodings[2].encode(t, validTip(), nil)
				req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/tips", body)
				req.Header.Set("Content-Type", ct)
				req.Header.Set(ipHeader, "198.51.100.7")
				if res, err := http.DefaultClient.Do(req); err == nil {
					res.Body.Close()
				}
			}
		}()
	}
	var got []int
	accepted := 0
	for i := range 10 {
		res := e.tipFrom(i%2 == 0, fmt.Sprintf("203.0.113.%d", 50+i))
		got = append(got, res.StatusCode)
		if ok(res) {
			accepted++
		}
	}
	close(stop)
	wg.Wait()
	if accepted != 10 {
		t.Errorf("real tips during the flood: %v, want each accepted (201, or 303 for a plain post)", got)
	}
	stored := e.count()
	if stored != web.DefaultLimits.Submit.N+10 {
		t.Errorf("stored %d, want the flooder's allowance %d plus 10", stored, web.DefaultLimits.Submit.N)
	}
}

// TestOneIPv6SiteIsNotManyClients: every /64 of a /48 is a client of its
// own, but the /48 together gets only a few clients' allowance.
func TestOneIPv6SiteIsNotManyClients(t *testing.T) {
	const n = 3
	e := newEnvWith(t, behindProxy(web.Limits{Submit: web.Limit{N: n, Per: time.Hour}}))
	var codes []int
	for i := range 40 {
		codes = append(codes, e.tipFrom(true, fmt.Sprintf("2001:db8:77:%x::1", i)).StatusCode)
	}
	accepted := strings.Count(fmt.Sprint(codes), "201")
	if accepted != n*4 || codes[n*4] != http.StatusTooManyRequests {
		t.Errorf("40 /64s of one /48: %d accepted (%v), want %d then 429", accepted, codes, n*4)
	}
	if res := e.tipFrom(true, "2001:db8:78::1"); res.StatusCode != http.StatusCreated {
		t.Errorf("the next /48: Status = %d, want 201", res.StatusCode)
	}
}

// TestNewClientsOfAFullNetworkCostNoMemory: once a /48 has used its
// allowance, requests from ever new /64s of it (a network holds 65,536)
// are refused without being counted, so a flood of them leaves nothing in
// the instance's memory (it kept 34-38 B a request when each /64 was counted
// before its /48 was looked at). The instance's own counts, as on one
// machine; on PostgreSQL the same order spares a row a request.
func TestNewClientsOfAFullNetworkCostNoMemory(t *testing.T) {
	e := newEnvWith(t, func(c *web.Config) {
		behindProxy(web.Limits{Submit: web.Limit{N: 2, Per: time.Hour}})(c)
		c.Shared = nil
		c.Logger = slog.New(slog.DiscardHandler) // the test's log buffer would grow
	})
	h := e.srv.Config.Handler
	post := func(ip string) int {
		req := httptest.NewRequest("POST", "/api/v1/tips", strings.NewReader(`{}`))
		req.RemoteAddr = "127.0.0.1:1234"
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(ipHeader, ip)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w.Code
	}
	for i := range 100 { // the /48's allowance (8) used, then refused
		post(fmt.Sprintf("2001:db8:1:%x::1", i))
	}
	const n = 60_000 // of the /48's 65,536 /64s
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	refused := 0
	for i := range n {
		if post(fmt.Sprintf("2001:db8:1:%x::1", 100+i)) == http.StatusTooManyRequests {
			refused++
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if refused != n {
		t.Errorf("%d of %d requests from new /64s of a full /48 refused", refused, n)
	}
	grown := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("heap grown by %d B over %d refused requests", grown, n)
	if grown > n*4 {
		t.Errorf("the heap grew by %d B over %d refused requests (%.1f B each); want next to nothing", grown, n, float64(grown)/n)
	}
}

// TestSharesAndChallenge: the shared ceiling counts only what it accepted;
// JavaScript and plain posts each have a share; under pressure the
// JavaScript share asks for a proof of work, which a browser solves.
func TestSharesAndChallenge(t *testing.T) {
	// 8 an hour: 2 for plain posts, 6 for the site's JavaScript, which
	// must answer a challenge from the 3rd accepted on.
	e := newEnvWith(t, behindProxy(web.Limits{Submit: web.Limit{N: 100, Per: time.Hour}, SubmitGlobal: web.Limit{N: 8, Per: time.Hour}}))
	ip := 0
	next := func() string { ip++; return fmt.Sprintf("192.0.2.%d", ip) }

	// Refused requests from many addresses use up nothing.
	for range 50 {
		tip := validTip()
		tip["category"] = []string{"khong-co"}
		ct, body := encodings[2].encode(t, tip, nil)
		if res := e.post("/api/v1/tips", ct, body, ipHeader, next()); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("invalid tip: Status = %d", res.StatusCode)
		}
	}
	if c := challengeState(t, e); c["required"] != false {
		t.Fatalf("a challenge is required before anything was accepted: %v", c)
	}
	for i := range 3 {
		if res := e.tipFrom(true, next()); res.StatusCode != http.StatusCreated {
			t.Fatalf("script tip %d: Status = %d", i, res.StatusCode)
		}
	}
	// Half the script share is used: a challenge is now asked for.
	res := e.tipFrom(true, next())
	if res.StatusCode != http.StatusPreconditionRequired {
		t.Fatalf("4th script tip without an answer: Status = %d, want 428", res.StatusCode)
	}
	ch := challengeOf(t, decodeJSON(t, res))
	answer, err := web.Solve(ch)
	if err != nil {
		t.Fatal(err)
	}
	if res := e.tipFrom(true, next(), web.PowHeader, answer); res.StatusCode != http.StatusCreated {
		t.Fatalf("with the answer: Status = %d, want 201", res.StatusCode)
	}
	if res := e.tipFrom(true, next(), web.PowHeader, answer); res.StatusCode != http.StatusPreconditionRequired {
		t.Errorf("the same answer again: Status = %d, want 428", res.StatusCode)
	}
	if res := e.tipFrom(true, next(), web.PowHeader, strings.Replace(answer, "A", "B", 1)); res.StatusCode != http.StatusPreconditionRequired {
		t.Errorf("a forged answer: Status = %d, want 428", res.StatusCode)
	}
	// The background route gives a challenge to solve ahead.
	c := challengeState(t, e)
	if c["required"] != true {
		t.Fatalf("GET /api/v1/challenge under pressure = %v", c)
	}
	pre, err := web.Solve(challengeOf(t, c))
	if err != nil {
		t.Fatal(err)
	}
	if res := e.tipFrom(true, next(), web.PowHeader, pre); res.StatusCode != http.StatusCreated {
		t.Fatalf("with an answer solved ahead: Status = %d", res.StatusCode)
	}
	// Plain posts never get a challenge and have their own share.
	for i := range 2 {
		if res := e.tipFrom(false, next()); !ok(res) {
			t.Fatalf("plain post %d: Status = %d, want 303 to its receipt", i, res.StatusCode)
		}
	}
	res = e.tipFrom(false, next())
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Errorf("plain post past its share: Status = %d, Retry-After %q; want 429 with Retry-After", res.StatusCode, res.Header.Get("Retry-After"))
	}
	if msg := document(t, res).Find("[data-error-message]").Text(); !strings.Contains(msg, "gửi lại sau") {
		t.Errorf("429 page message = %q", msg)
	}
	// The script share still has room: plain posts did not take it.
	res = e.tipFrom(true, next())
	ch = challengeOf(t, decodeJSON(t, res))
	answer, _ = web.Solve(ch)
	if res := e.tipFrom(true, next(), web.PowHeader, answer); res.StatusCode != http.StatusCreated {
		t.Fatalf("6th script tip: Status = %d, want 201", res.StatusCode)
	}
	// Full: even with an answer.
	res = e.tipFrom(true, next())
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("script share full: Status = %d, want 429", res.StatusCode)
	}
	if m := decodeJSON(t, res); m["error"] != formsvc.ETOOMANY {
		t.Errorf("answer = %v", m)
	}
	if n := e.count(); n != 8 {
		t.Errorf("stored %d, want 8 (the shared ceiling)", n)
	}
}

func challengeState(t *testing.T, e *env) map[string]any {
	t.Helper()
	res, err := http.Get(e.srv.URL + "/api/v1/challenge")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Set-Cookie") != "" || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("GET /api/v1/challenge: Status %d, cookie %q, cache %q", res.StatusCode, res.Header.Get("Set-Cookie"), res.Header.Get("Cache-Control"))
	}
	return decodeJSON(t, res)
}

func challengeOf(t *testing.T, m map[string]any) web.Challenge {
	t.Helper()
	c, ok := m["challenge"].(map[string]any)
	if !ok {
		t.Fatalf("no challenge in %v", m)
	}
	return web.Challenge{Algorithm: c["algorithm"].(string), Challenge: c["challenge"].(string),
		MaxNumber: int(c["maxnumber"].(float64)), Salt: c["salt"].(string), Signature: c["signature"].(string)}
}

// serve sends one request straight to handler h, as if from the loopback
// proxy (so ipHeader counts), and returns the recorded answer.
func serve(h http.Handler, method, path, contentType, body string, headers ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.RemoteAddr = "127.0.0.1:40000"
	req.Header.Set("Content-Type", contentType)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// countingShared counts the reads of the shared counts.
type countingShared struct {
	formsvc.SharedState
	reads atomic.Int64
}

func (c *countingShared) Counts(ctx context.Context, key string, w time.Time, per time.Duration) (int, int, error) {
	c.reads.Add(1)
	return c.SharedState.Counts(ctx, key, w, per)
}

// GET /api/v1/challenge has no limit of its own, so however often it is
// asked it reads the shared counts (the database's, with several
// instances) at most once a second for each group of routes.
func TestChallengeRouteReadsCountsOncePerSecond(t *testing.T) {
	shared := &countingShared{SharedState: window.NewMemory(nil)}
	e := newEnvWith(t, func(c *web.Config) {
		c.Limits = web.Limits{SubmitGlobal: web.Limit{N: 8, Per: time.Hour}, FollowUpGlobal: web.Limit{N: 8, Per: time.Hour}}
		c.Shared = shared
	})
	for range 200 {
		challengeState(t, e)
	}
	if n := shared.reads.Load(); n != 2 {
		t.Errorf("200 requests for a challenge in the same second read the counts %d times, want 2 (tips, follow-up)", n)
	}
}
