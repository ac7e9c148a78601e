package console_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/hoaphong/phongchongmaidam/formsvc/console"
)

// BenchmarkLoginFailure measures the answer to an unknown name, a wrong
// password, and a wrong password for an account the old rules would have
// locked. They run the same code and one argon2id check each, so the
// times should match within noise (compare with benchstat):
//
//	go test -run '^$' -bench LoginFailure -count 6 ./formsvc/console
func BenchmarkLoginFailure(b *testing.B) {
	a := newApp(b, func(c *console.Config) { c.LoginLimit, c.LoginGlobalLimit = 0, 0 })
	for i := range 6 {
		a.browserAt(fmt.Sprintf("192.0.2.%d", i+1)).login("congan", "mat-khau-sai-lan-mot")
	}
	for _, name := range []struct{ label, user string }{{"unknown", "khongcoai"}, {"wrong", "xahoi"}, {"formerly-locked", "congan"}} {
		b.Run(name.label, func(b *testing.B) {
			br := a.browserAt("198.51.100.7")
			v := url.Values{"username": {name.user}, "password": {"mat-khau-sai-lan-hai"}, "csrf_token": {br.token("/officer/login")}}
			for b.Loop() {
				if res, _ := br.postRaw("/officer/login", v, "Origin", a.srv.URL); res.StatusCode != http.StatusUnauthorized {
					b.Fatalf("Status = %d", res.StatusCode)
				}
			}
		})
	}
}
