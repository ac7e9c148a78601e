package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5/middleware"
	"github.com/go-chi/httprate"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/internal/window"
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
func clientIP(header string, trustedProxies []string, netlifySecret []byte) func(http.Handler) http.Handler {
	base := middleware.ClientIPFromRemoteAddr
	if header != "" {
		base = middleware.ClientIPFromHeader(header, trustedProxies...)
	}
	if len(netlifySecret) == 0 {
		return base
	}
	signed := netlifyClientIP(netlifySecret)
	return func(next http.Handler) http.Handler { return base(signed(next)) }
}

// networkShare: one IPv6 /48 (65,536 /64 "clients") may send this many
// times one client's allowance.
const networkShare = 4

// plainShare is the part of a shared ceiling kept for plain form posts
// (JavaScript off), 1 in plainShare; the rest is for the site's
// JavaScript, which can answer a proof-of-work challenge.
const plainShare = 4

// guard is the intake's defence for one group of routes, in this order:
//  1. per client (an IPv4 address or an IPv6 /64), every request counts;
//  2. per IPv6 /48, networkShare times a client's allowance;
//  3. a shared ceiling that counts only what the service accepted, split
//     into a share for the site's JavaScript and a smaller one for plain
//     posts; while the JavaScript share is half used, its requests must
//     carry a solved proof-of-work challenge (428 with a challenge if not).
//
// What is refused at any step (and 400, 413, 415, 422 from the handler)
// never uses up the shared ceiling: only accept(r) counts. The counts are
// in Config.Shared: with several instances on PostgreSQL, one client's
// allowance is the same however many instances there are.
type guard struct {
	s       *Server
	form    *formsvc.Form
	client  *window.Count // nil: no limit per client
	network *window.Count
	script  *window.Count // nil: no shared ceiling
	plain   *window.Count

	pressedMu  sync.Mutex // pressed's last answer, and when
	pressedAt  time.Time
	pressedVal bool
}

func (s *Server) newGuard(name string, perClient, shared Limit, f *formsvc.Form, counter formsvc.RateCounter) *guard {
	g := &guard{s: s, form: f}
	if perClient.N > 0 {
		g.client = window.New(name+"/client", perClient.N, perClient.Per, s.now, counter)
		g.network = window.New(name+"/network", perClient.N*networkShare, perClient.Per, s.now, counter)
	}
	if shared.N > 0 {
		plain := max(1, shared.N/plainShare)
		g.plain = window.New(name+"/plain", plain, shared.Per, s.now, counter)
		g.script = window.New(name+"/script", max(1, shared.N-plain), shared.Per, s.now, counter)
	}
	return g
}

// Handler is the guard as middleware.
func (g *guard) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A /48 already over its allowance is refused before its /64 is
		// counted: a flood from ever new /64s of one network then adds
		// nothing to memory (34-38 B a request before).
		if !g.admit(w, r, g.network, networkKey, false) || !g.admit(w, r, g.client, clientKey, true) ||
			!g.admit(w, r, g.network, networkKey, true) {
			return
		}
		if g.script == nil {
			next.ServeHTTP(w, r)
			return
		}
		c := g.plain
		if wantsJSON(r) {
			c = g.script
		}
		rate, err := c.Rate(r.Context(), "*")
		if err != nil {
			g.unavailable(w, r, err)
			return
		}
		if rate >= float64(c.N) {
			g.s.log.Warn("vượt trần chung", "route", r.URL.Path, "script", c == g.script)
			g.s.fail(w, r, g.form, nil, formsvc.Errorf(formsvc.ETOOMANY, formsvc.MsgBusy))
			return
		}
		if c == g.script {
			g.remember(rate)
		}
		if c == g.script && rate >= float64(c.N)/2 {
			if err := g.s.pow.verify(r.Context(), r.Header.Get(PowHeader)); err != nil {
				g.s.logNote(r, "cần lời giải thử thách", "reason", err.Error())
				writeJSON(w, http.StatusPreconditionRequired, errorBody{Error: formsvc.ECHALLENGE,
					Message: formsvc.MsgChallenge, Challenge: ptr(g.s.pow.issue())})
				return
			}
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ceilingKey{}, c)))
	})
}

// admit counts r against a per-client count under key(r) (no count, or an
// empty key: it passes), and answers 429 when that goes over the limit;
// with count false it only looks, and answers 429 when the limit is
// reached already.
func (g *guard) admit(w http.ResponseWriter, r *http.Request, c *window.Count, key func(*http.Request) string, count bool) bool {
	if c == nil {
		return true
	}
	k := key(r)
	if k == "" {
		return true
	}
	m := hmac.New(sha256.New, g.s.keys.Address)
	m.Write([]byte(k))
	take := c.Take
	if !count {
		take = func(ctx context.Context, k string) (bool, error) {
			over, err := c.Over(ctx, k)
			return !over, err
		}
	}
	ok, err := take(r.Context(), hex.EncodeToString(m.Sum(nil)[:16]))
	if err != nil {
		g.unavailable(w, r, err)
		return false
	}
	if !ok {
		g.s.log.Warn("vượt giới hạn", "route", r.URL.Path, "times", c.N)
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(c.Per.Seconds()))))
		g.s.fail(w, r, g.form, nil, formsvc.Errorf(formsvc.ETOOMANY, formsvc.MsgTooMany))
	}
	return ok
}

// unavailable answers a request whose counts could not be read or
// written (the shared store is down): 503, as the store itself would.
func (g *guard) unavailable(w http.ResponseWriter, r *http.Request, err error) {
	g.s.log.Error("không đếm được giới hạn", "route", r.URL.Path, "err", err)
	g.s.fail(w, r, g.form, nil, formsvc.Errorf(formsvc.EUNAVAILABLE, formsvc.MsgUnavailable))
}

// pressedFor is how long GET /api/v1/challenge's answer stands: the
// route needs no limit of its own, and however often it is asked, the
// shared counts (in the database, with several instances) are read at
// most once in pressedFor.
const pressedFor = time.Second

// pressed reports whether requests of the site's JavaScript must now
// carry a solved challenge: as the last request through the guard or the
// last read found it, if that was within pressedFor.
func (g *guard) pressed(ctx context.Context) bool {
	if g.script == nil {
		return false
	}
	g.pressedMu.Lock()
	at, val := g.pressedAt, g.pressedVal
	g.pressedMu.Unlock()
	if now := g.s.now(); !now.Before(at) && now.Sub(at) < pressedFor {
		return val
	}
	rate, err := g.script.Rate(ctx, "*")
	if err != nil {
		return false
	}
	return g.remember(rate)
}

// remember keeps whether rate, the script share's rate just read, asks
// for challenges, for pressed; and returns it.
func (g *guard) remember(rate float64) bool {
	p := rate >= float64(g.script.N)/2
	g.pressedMu.Lock()
	g.pressedAt, g.pressedVal = g.s.now(), p
	g.pressedMu.Unlock()
	return p
}

type ceilingKey struct{}

// accept counts r against its shared ceiling: the handler calls it once
// the request did its work (a submission stored, a receipt looked up).
func accept(r *http.Request) {
	if c, ok := r.Context().Value(ceilingKey{}).(*window.Count); ok {
		c.Add(context.WithoutCancel(r.Context()), "*", 1)
	}
}

func ptr[T any](v T) *T { return &v }

// clientKey is a client: an IPv4 address, or an IPv6 /64 (what one
// subscriber line gets).
func clientKey(r *http.Request) string {
	return httprate.CanonicalizeIP(middleware.GetClientIP(r.Context()))
}

// networkKey is an IPv6 /48 (what one site or customer gets), or "" for
// IPv4: an IPv4 client is already one address.
func networkKey(r *http.Request) string {
	ip := net.ParseIP(middleware.GetClientIP(r.Context()))
	if ip == nil || ip.To4() != nil {
		return ""
	}
	return ip.Mask(net.CIDRMask(48, 128)).String() + "/48"
}
