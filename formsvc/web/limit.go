package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5/middleware"
	"github.com/go-chi/httprate"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// Limit is at most N requests per window Per; N 0 turns the limit off.
type Limit struct {
	N   int
	Per time.Duration
}

// ParseLimit reads "N/duration", e.g. "30/10m"; "0" or "off" is no limit.
func ParseLimit(s string) (Limit, error) {
	if s == "0" || s == "off" {
		return Limit{}, nil
	}
	n, per, ok := strings.Cut(s, "/")
	count, err := strconv.Atoi(n)
	if !ok || err != nil || count < 1 {
		return Limit{}, fmt.Errorf("giới hạn %q không hợp lệ: cần dạng số/thời gian, ví dụ 30/10m", s)
	}
	d, err := time.ParseDuration(per)
	if err != nil || d <= 0 {
		return Limit{}, fmt.Errorf("giới hạn %q: thời gian %q không hợp lệ (ví dụ 10m, 1h)", s, per)
	}
	return Limit{N: count, Per: d}, nil
}

func (l Limit) String() string {
	if l.N == 0 {
		return "off"
	}
	return fmt.Sprintf("%d/%s", l.N, l.Per)
}

// Limits are the rate limits: per client, and a ceiling for everyone.
type Limits struct {
	Submit         Limit // submissions per client
	SubmitGlobal   Limit // submissions from everyone
	FollowUp       Limit // follow-up attempts per client
	FollowUpGlobal Limit // follow-up attempts from everyone: bounds receipt guessing
}

// DefaultLimits: a person sends a few forms and looks up a receipt a few
// times; a flood or a guessing run is cut short.
var DefaultLimits = Limits{
	Submit:         Limit{30, 10 * time.Minute},
	SubmitGlobal:   Limit{600, time.Minute},
	FollowUp:       Limit{30, time.Hour},
	FollowUpGlobal: Limit{2000, time.Hour},
}

// clientIP resolves the client's address into the request context, from
// the trusted proxy's header when one is configured (Netlify sends
// X-Nf-Client-Connection-Ip), else from the connection. The address is used
// only as a rate-limit key held in memory; it is never stored or logged.
func clientIP(header string, trustedProxies []string) func(http.Handler) http.Handler {
	if header == "" {
		return middleware.ClientIPFromRemoteAddr
	}
	return middleware.ClientIPFromHeader(header, trustedProxies...)
}

// limiter makes the rate-limit middleware for l. Keys are keyed hashes of
// the client's address under a key that lives only as long as the process,
// so not even the limiter's memory holds an address in clear.
func (s *Server) limiter(l Limit, perClient bool, f *formsvc.Form) func(http.Handler) http.Handler {
	if l.N == 0 {
		return func(next http.Handler) http.Handler { return next }
	}
	key := httprate.Key("*")
	if perClient {
		key = func(r *http.Request) (string, error) {
			ip := httprate.CanonicalizeIP(middleware.GetClientIP(r.Context()))
			m := hmac.New(sha256.New, s.limitKey)
			m.Write([]byte(ip))
			return hex.EncodeToString(m.Sum(nil)[:16]), nil
		}
	}
	return httprate.LimitBy(l.N, l.Per, key, httprate.WithLimitHandler(func(w http.ResponseWriter, r *http.Request) {
		s.log.Warn("vượt giới hạn", "route", r.URL.Path, "per_client", perClient)
		s.fail(w, r, f, nil, formsvc.Errorf(formsvc.ETOOMANY, formsvc.MsgTooMany))
	}))
}

func newLimitKey() []byte {
	k := make([]byte, 32)
	rand.Read(k)
	return k
}
