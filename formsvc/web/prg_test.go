package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/web"
)

// TestPlainPostSentTwiceStoresOnce: with JavaScript off a double click or
// Back-and-send-again posts the same form twice; it is stored once and
// both answers show the same receipt. The same words from another address
// are another report.
func TestPlainPostSentTwiceStoresOnce(t *testing.T) {
	e := newEnvWith(t, behindProxy(web.DefaultLimits))
	receiptOf := func(ip string) string {
		ct, body := encodings[1].encode(t, validTip(), nil)
		res := e.post("/api/v1/tips", ct, body, ipHeader, ip)
		return strings.TrimSpace(document(t, e.receiptPage(res)).Find("[data-receipt]").Text())
	}
	first, second := receiptOf("198.51.100.40"), receiptOf("198.51.100.40")
	if !receiptRe.MatchString(first) || first != second {
		t.Errorf("the same plain post twice: receipts %q and %q, want one", first, second)
	}
	if n := e.count(); n != 1 {
		t.Errorf("stored %d, want 1", n)
	}
	if other := receiptOf("198.51.100.41"); other == first || e.count() != 2 {
		t.Errorf("the same words from another address: receipt %q, %d stored; want a report of its own", other, e.count())
	}
	res := e.postJSON("/api/v1/follow-up", map[string]string{"receipt": first})
	if res.StatusCode != http.StatusOK {
		t.Errorf("the receipt shown twice opens nothing: %d", res.StatusCode)
	}
}

// One instance keeps spent receipt pages in its memory: restarted, it
// refuses a page issued before it started (it may have been shown), as it
// would have forgotten it before; a page issued after opens once.
func TestReceiptPageAfterARestart(t *testing.T) {
	var keys *formsvc.Keys
	before := newEnvWith(t, func(c *web.Config) { c.Shared = nil; keys = c.Keys })
	res := before.post("/api/v1/tips", "application/x-www-form-urlencoded", strings.NewReader(url.Values(validTip()).Encode()))
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/api/v1/receipts/") {
		t.Fatalf("plain post: %d %q", res.StatusCode, loc)
	}
	after := newEnvWith(t, func(c *web.Config) {
		c.Shared, c.Keys = nil, keys
		c.Now = func() time.Time { return time.Date(2026, 11, 28, 3, 1, 0, 0, time.UTC) } // a minute later
	})
	page, err := noRedirects.Get(after.srv.URL + loc)
	if err != nil {
		t.Fatal(err)
	}
	page.Body.Close()
	if page.StatusCode != http.StatusGone {
		t.Errorf("a page issued before the restart: %d, want 410", page.StatusCode)
	}
	if page := before.receiptPage(res); page.StatusCode != http.StatusOK {
		t.Errorf("the same page on the instance that issued it: %d, want 200", page.StatusCode)
	}
}
