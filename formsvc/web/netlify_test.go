package web_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/hoaphong/phongchongmaidam/formsvc/web"
)

// netlifySign makes X-Nf-Sign as Netlify's signed proxy rule does (the
// claims of netlify-cli's sign-redirect: deploy context, site id and URL,
// issuer "netlify", five minutes).
func netlifySign(t *testing.T, secret string, exp time.Time) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"deploy_context": "production", "netlify_id": "site-id", "site_url": "https://xa.example",
		"iss": "netlify", "exp": exp.Unix(),
	})
	s, err := tok.SignedString([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestNetlifySignedProxy: only a request signed with the site's secret
// speaks for the visitor's address; a forged header, one signed with
// another secret or an expired signature count as the connection's own
// address, so rotating the header buys nothing.
func TestNetlifySignedProxy(t *testing.T) {
	const secret = "bí-mật-của-trang-netlify-dài-ít-nhất-32-byte"
	e := newEnvWith(t, func(c *web.Config) {
		c.NetlifySecret = []byte(secret)
		c.Limits = web.Limits{Submit: web.Limit{N: 2, Per: time.Hour}}
	})
	now := time.Now()
	send := func(ip string, headers ...string) int {
		ct, body := encodings[2].encode(t, validTip(), nil)
		return e.post("/api/v1/tips", ct, body, append([]string{"X-Nf-Client-Connection-Ip", ip}, headers...)...).StatusCode
	}
	// Signed: each visitor has an allowance of their own.
	for i := range 4 {
		if got := send(fmt.Sprintf("198.51.100.%d", i), "X-Nf-Sign", netlifySign(t, secret, now.Add(5*time.Minute))); got != http.StatusCreated {
			t.Fatalf("signed visitor %d: Status = %d, want 201", i, got)
		}
	}
	// Unsigned or badly signed: all one client (the connection), 2 allowed.
	var codes []int
	for i, sig := range []string{"", "not-a-jws", netlifySign(t, "another-secret-another-secret-xx", now.Add(5*time.Minute)),
		netlifySign(t, secret, now.Add(-10*time.Minute))} {
		codes = append(codes, send(fmt.Sprintf("203.0.113.%d", i), "X-Nf-Sign", sig))
	}
	if fmt.Sprint(codes) != "[201 201 429 429]" {
		t.Errorf("forged, unsigned, wrongly signed and expired: %v, want [201 201 429 429] (one shared allowance)", codes)
	}
}
