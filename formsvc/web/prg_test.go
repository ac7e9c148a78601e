package web_test

import (
	"net/http"
	"strings"
	"testing"

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
