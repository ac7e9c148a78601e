package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/web"
)

// behindProxy: the client's address comes from Netlify's header, trusted
// from the loopback proxy only.
func behindProxy(limits web.Limits) func(*web.Config) {
	return func(c *web.Config) {
		c.ClientIPHeader = "X-Nf-Client-Connection-Ip"
		c.TrustedProxies = []string{"127.0.0.1/32", "::1/128"}
		c.Limits = limits
	}
}

// TestFloodFromOneClientIsLimitedOthersGoThrough: one client floods from
// 16 connections at once; exactly its allowance is stored, the rest gets
// 429 with Retry-After, and a real person on another address, posting in
// the middle of the flood, gets every submission through.
func TestFloodFromOneClientIsLimitedOthersGoThrough(t *testing.T) {
	const allowance, flood, workers, real = 5, 400, 16, 5
	e := newEnvWith(t, behindProxy(web.Limits{Submit: web.Limit{N: allowance, Per: time.Hour}, SubmitGlobal: web.Limit{N: 1000, Per: time.Hour}}))
	send := func(ip string) *http.Response {
		ct, body := encodings[2].encode(t, validTip(), nil)
		return e.post("/api/v1/tips", ct, body, "X-Nf-Client-Connection-Ip", ip)
	}
	var accepted, limited, other atomic.Int64
	var sample atomic.Pointer[http.Response]
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range jobs {
				res := send("198.51.100.7")
				switch res.StatusCode {
				case http.StatusCreated:
					accepted.Add(1)
				case http.StatusTooManyRequests:
					limited.Add(1)
					sample.Store(res)
				default:
					other.Add(1)
				}
			}
		}()
	}
	realCodes := []int{}
	for i := range flood {
		jobs <- i
		if i%(flood/real) == flood/real/2 { // a real person, during the flood
			realCodes = append(realCodes, send("203.0.113.20").StatusCode)
		}
	}
	close(jobs)
	wg.Wait()
	if accepted.Load() != allowance || limited.Load() != flood-allowance || other.Load() != 0 {
		t.Errorf("flooder: %d accepted, %d limited, %d other; want %d, %d, 0",
			accepted.Load(), limited.Load(), other.Load(), allowance, flood-allowance)
	}
	if fmt.Sprint(realCodes) != fmt.Sprint([]int{201, 201, 201, 201, 201}) {
		t.Errorf("the real person during the flood got %v, want 201 each time", realCodes)
	}
	res := sample.Load()
	if res == nil {
		t.Fatal("no 429 to look at")
	}
	if m := decodeJSON(t, res); m["error"] != "too_many" || !strings.Contains(m["message"].(string), "quá nhiều lần") {
		t.Errorf("429 answer = %v", m)
	}
	if res.Header.Get("Retry-After") == "" {
		t.Errorf("no Retry-After header")
	}
	if n := e.count(); n != allowance+real {
		t.Errorf("stored %d, want %d", n, allowance+real)
	}
}

// TestTenThousandHoneypotPostsStoreNothing: a bot that fills the hidden
// field gets the answer a person gets, 10,000 times, in every body type and
// on both forms, and nothing is stored; its receipts lead nowhere.
func TestTenThousandHoneypotPostsStoreNothing(t *testing.T) {
	e := newEnv(t)
	h := e.srv.Config.Handler
	const n = 10_000
	var receipts []string
	for i := range n {
		in, path := validTip(), "/api/v1/tips"
		if i%2 == 1 {
			in, path = validSupport(), "/api/v1/support-requests"
		}
		in["website"] = []string{fmt.Sprintf("http://spam-%d.example", i)}
		enc := encodings[i%len(encodings)]
		ct, body := enc.encode(t, in, nil)
		req := httptest.NewRequest("POST", path, body)
		req.Header.Set("Content-Type", ct)
		// Now and then a plain form post: the confirmation page.
		plain := i%250 < 3 && enc.name != "json"
		if !plain {
			req.Header.Set("Accept", "application/json")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if plain {
			// The person's answer: 303 to the receipt page, which shows one.
			if rec.Code != http.StatusSeeOther {
				t.Fatalf("post %d (%s): Status = %d, want 303", i, path, rec.Code)
			}
			loc := rec.Header().Get("Location")
			rec = httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", loc, nil))
		}
		if !plain && rec.Code != http.StatusCreated {
			t.Fatalf("post %d (%s): Status = %d, want 201", i, path, rec.Code)
		}
		if plain {
			if !strings.Contains(rec.Body.String(), "data-receipt") {
				t.Fatalf("post %d: the plain form post did not get the confirmation page", i)
			}
			continue
		}
		var m map[string]string
		if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil || !receiptRe.MatchString(m["receipt"]) {
			t.Fatalf("post %d: answer %q, want a normal-looking receipt", i, rec.Body.String())
		}
		if len(receipts) < 5 {
			receipts = append(receipts, m["receipt"])
		}
	}
	if got := e.count(); got != 0 {
		t.Errorf("stored %d rows for %d bot posts", got, n)
	}
	for _, r := range receipts {
		if res := e.postJSON("/api/v1/follow-up", map[string]string{"receipt": r}); res.StatusCode != http.StatusNotFound {
			t.Errorf("a bot's receipt %s: Status = %d, want 404", r, res.StatusCode)
		}
	}
}

func TestFollowUpGuessingIsLimited(t *testing.T) {
	e := newEnvWith(t, behindProxy(web.Limits{FollowUp: web.Limit{N: 3, Per: time.Hour}, FollowUpGlobal: web.Limit{N: 100, Per: time.Hour}}))
	for i := range 3 {
		res := e.postJSON("/api/v1/follow-up", map[string]string{"receipt": "0000-0000-0000-000" + string(rune('0'+i))},
			"X-Nf-Client-Connection-Ip", "198.51.100.9")
		if res.StatusCode != http.StatusNotFound {
			t.Fatalf("guess %d: Status = %d, want 404", i, res.StatusCode)
		}
	}
	res := e.postJSON("/api/v1/follow-up", map[string]string{"receipt": "0000-0000-0000-0009"}, "X-Nf-Client-Connection-Ip", "198.51.100.9")
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("4th guess: Status = %d, want 429", res.StatusCode)
	}
	// Plain form: the 429 is a page in the site's look.
	form := e.post("/api/v1/follow-up", "application/x-www-form-urlencoded", strings.NewReader("receipt=1"), "X-Nf-Client-Connection-Ip", "198.51.100.9")
	if form.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("Status = %d", form.StatusCode)
	}
	if msg := document(t, form).Find("[data-error-message]").Text(); !strings.Contains(msg, "quá nhiều lần") {
		t.Errorf("429 page message = %q", msg)
	}
}

func TestSpoofedHeaderFromAnUntrustedPeerIsIgnored(t *testing.T) {
	// Only 10.0.0.0/8 may set the header; the test client (127.0.0.1) is
	// not a trusted proxy, so its header is ignored and all its requests
	// share its own bucket.
	e := newEnvWith(t, func(c *web.Config) {
		c.ClientIPHeader = "X-Nf-Client-Connection-Ip"
		c.TrustedProxies = []string{"10.0.0.0/8"}
		c.Limits = web.Limits{Submit: web.Limit{N: 2, Per: time.Hour}}
	})
	var last int
	for i := range 3 {
		ct, body := encodings[2].encode(t, validTip(), nil)
		last = e.post("/api/v1/tips", ct, body, "X-Nf-Client-Connection-Ip", "192.0.2."+string(rune('1'+i))).StatusCode
	}
	if last != http.StatusTooManyRequests {
		t.Errorf("rotating a spoofed header escaped the limit: Status = %d", last)
	}
}

func TestIdempotencyKeyStoresOnce(t *testing.T) {
	e := newEnv(t)
	sendTip := func(key string, tip formsvc.Values) (int, string) {
		ct, body := encodings[2].encode(t, tip, nil)
		res := e.post("/api/v1/tips", ct, body, "Idempotency-Key", key)
		m := decodeJSON(t, res)
		r, _ := m["receipt"].(string)
		return res.StatusCode, r
	}
	send := func(key string) (int, string) { return sendTip(key, validTip()) }
	c1, r1 := send("b6f1c2d4-0a1e-4c1b-9a53-7e0c2d1f9a10")
	c2, r2 := send("b6f1c2d4-0a1e-4c1b-9a53-7e0c2d1f9a10")
	if c1 != 201 || c2 != 201 || r1 != r2 || !receiptRe.MatchString(r1) {
		t.Fatalf("retries: %d %q, %d %q; want 201 and the same receipt", c1, r1, c2, r2)
	}
	if n := e.count(); n != 1 {
		t.Errorf("stored %d records for one submission retried", n)
	}
	_, r3 := send("another-key-7-0a1e4c1b")
	if r3 == r1 || e.count() != 2 {
		t.Errorf("a different key did not make a new record")
	}
	// Someone who learns the key and sends another tip with it gets a
	// receipt of their own, never the first person's.
	other := validTip()
	other["description"] = []string{"Một tin báo khác, gửi kèm khóa của người khác."}
	c4, r4 := sendTip("b6f1c2d4-0a1e-4c1b-9a53-7e0c2d1f9a10", other)
	if c4 != 201 || r4 == r1 || e.count() != 3 {
		t.Errorf("another tip under the same key: %d %q (first %q), %d records; want its own receipt and record", c4, r4, r1, e.count())
	}
	if res := e.postJSON("/api/v1/follow-up", map[string]string{"receipt": r4}); res.StatusCode != http.StatusOK ||
		!strings.Contains(fmt.Sprint(decodeJSON(t, res)), "received") {
		t.Errorf("the second receipt does not open its own tip: %d", res.StatusCode)
	}
	// The same key for the other kind is another submission.
	res := e.postJSON("/api/v1/support-requests", map[string]any{"services": []string{"job"}, "contact_method": "none", "consent": true},
		"Idempotency-Key", "b6f1c2d4-0a1e-4c1b-9a53-7e0c2d1f9a10")
	if res.StatusCode != 201 || e.count() != 4 {
		t.Errorf("support request with a tip's key: Status %d, count %d", res.StatusCode, e.count())
	}
	// site.js's fallback: a plain form post carries the key as a field.
	before := e.count()
	var fieldReceipts []string
	for range 2 {
		in := validTip()
		in["idempotency_key"] = []string{"c0ffee00c0ffee00c0ffee00c0ffee00"}
		ct, body := encodings[0].encode(t, in, nil)
		res := e.post("/api/v1/tips", ct, body, "Accept", "application/json")
		m := decodeJSON(t, res)
		r, _ := m["receipt"].(string)
		fieldReceipts = append(fieldReceipts, r)
	}
	if fieldReceipts[0] == "" || fieldReceipts[0] != fieldReceipts[1] || e.count() != before+1 {
		t.Errorf("the key as a form field, sent twice: receipts %v, %d new records; want one record, one receipt", fieldReceipts, e.count()-before)
	}
	// Short keys could be guessed; they are refused.
	for _, bad := range []string{strings.Repeat("k", 129), "có dấu có dấu có dấu", "1", "short-key-15char"[:15]} {
		ct, body := encodings[2].encode(t, validTip(), nil)
		if res := e.post("/api/v1/tips", ct, body, "Idempotency-Key", bad); res.StatusCode != http.StatusBadRequest {
			t.Errorf("key %q: Status = %d, want 400", bad, res.StatusCode)
		}
	}
}

// TestNothingAboutTheClientIsStoredOrLogged sends a tip with a marker user
// agent from a known address, then searches the database's files, its
// write-ahead log and the logs for both, and for the tip's text.
func TestNothingAboutTheClientIsStoredOrLogged(t *testing.T) {
	e := newEnvWith(t, behindProxy(web.DefaultLimits))
	const ua, ip, text = "MarkerAgent/7.7 (UA-MARKER-88231)", "198.51.100.231", "MARKER-TEXT-tin-bao-55312 có người bị giữ"
	in := validTip()
	in["description"] = []string{text}
	in["contact"] = []string{"MARKER-CONTACT-0912000111"}
	ct, body := encodings[1].encode(t, in, nil)
	res := e.post("/api/v1/tips", ct, body, "User-Agent", ua, "X-Nf-Client-Connection-Ip", ip,
		"Referer", "https://REFERRER-MARKER.example/path", "Cookie", "c=COOKIE-MARKER")
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("Status = %d", res.StatusCode)
	}
	if res.Header.Get("Set-Cookie") != "" {
		t.Errorf("the public got a cookie")
	}
	files := e.db.Files(t)
	if len(files["wal"]) == 0 {
		t.Fatalf("the WAL was empty before close: nothing was searched there")
	}
	// The log says a tip came, and nothing that picks out the record.
	if logs := e.logs.String(); !strings.Contains(logs, "đã nhận bài gửi") || strings.Contains(logs, "TB-") || strings.Contains(logs, "ref=") {
		t.Errorf("the log line of an accepted tip names the record:\n%s", logs)
	}
	for where, b := range map[string][]byte{"database": files["database"], "wal": files["wal"], "logs": []byte(e.logs.String())} {
		for _, m := range []string{"UA-MARKER-88231", "MarkerAgent", ip, "REFERRER-MARKER", "COOKIE-MARKER", "MARKER-TEXT", "MARKER-CONTACT"} {
			if bytes.Contains(b, []byte(m)) {
				t.Errorf("%s holds %q", where, m)
			}
		}
	}
}
