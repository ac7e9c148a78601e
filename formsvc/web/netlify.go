package web

import (
	"net/http"
	"time"

	"github.com/go-chi/chi/v5/middleware"
	"github.com/golang-jwt/jwt/v5"
)

// Netlify's signed proxy: a [[redirects]] rule with `signed = "VAR"`
// makes Netlify send X-Nf-Sign, a JWS (HS256) signed with the secret in
// the site's environment variable VAR, with iss "netlify" and an expiry a
// few minutes ahead. Only a request that carries a valid signature has
// come through the site's own proxy, so only then is the visitor's address
// taken from X-Nf-Client-Connection-Ip; on any other request that header
// is whatever the caller wrote, and is ignored.
const (
	netlifySignHeader = "X-Nf-Sign"
	netlifyIPHeader   = "X-Nf-Client-Connection-Ip"
)

// netlifyClientIP is middleware that, for a request signed by Netlify
// with secret, takes the client's address from Netlify's header. It runs
// after the ordinary client-address middleware, which stands otherwise.
func netlifyClientIP(secret []byte) func(http.Handler) http.Handler {
	trustHeader := middleware.ClientIPFromHeader(netlifyIPHeader, "0.0.0.0/0", "::/0")
	parser := jwt.NewParser(jwt.WithValidMethods([]string{"HS256"}), jwt.WithIssuer("netlify"),
		jwt.WithExpirationRequired(), jwt.WithLeeway(30*time.Second))
	key := func(*jwt.Token) (any, error) { return secret, nil }
	return func(next http.Handler) http.Handler {
		viaNetlify := trustHeader(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			sig := r.Header.Get(netlifySignHeader)
			if sig != "" && len(sig) < 4096 {
				if _, err := parser.Parse(sig, key); err == nil {
					viaNetlify.ServeHTTP(w, r)
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}
