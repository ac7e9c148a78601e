package console

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/go-chi/chi/v5/middleware"
	"github.com/go-chi/httprate"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/internal/window"
)

// Failed logins slow and then stop the address that makes them, never the
// account: an account that anyone could lock is a way to lock out its
// officer, and a lock shown only for existing names tells which names
// exist. From the slowAfter-th failure in the window, each attempt from
// the address first waits (firstDelay, doubling with each further
// failure, at most maxDelay), before it asks for a hash slot; at
// Config.LoginLimit failures the address is refused (429) until the
// window has passed. Config.LoginGlobalLimit bounds failures from
// everyone: beyond it every login is refused (503) for a while, so that
// many addresses together cannot guess at the speed of many.
const (
	slowAfter  = 3
	firstDelay = time.Second
	maxDelay   = 8 * time.Second
)

// Vietnamese answers of the guard. They depend only on the address and on
// everyone's failures, never on the name typed.
const (
	msgAddressStopped = "Máy này đã đăng nhập sai quá nhiều lần. Vui lòng đợi %s rồi thử lại, hoặc nhờ quản trị đặt lại mật khẩu nếu bạn đã quên."
	msgAllStopped     = "Có quá nhiều lần đăng nhập sai vào hệ thống trong ít phút qua nên việc đăng nhập tạm dừng. Vui lòng đợi %s rồi thử lại."
)

// loginGuard counts failed password and second-factor checks per client
// address (an IPv4 address or an IPv6 /64, from chi's client IP) and for
// everyone, in the state instances share (Config.Shared: with several
// instances on PostgreSQL, in the database, so that trying through each
// instance in turn gains nothing). Addresses are counted as HMACs under
// Keys.Address, never logged or stored in clear.
type loginGuard struct {
	key  []byte
	addr *window.Count // nil: no limit per address
	all  *window.Count // nil: no global cap
	wait func(ctx context.Context, d time.Duration) error
	mu   sync.Mutex // makes admit's look and count one step
}

func newLoginGuard(cfg Config, now func() time.Time) *loginGuard {
	g := &loginGuard{key: cfg.AddressKey, wait: cfg.LoginWait}
	if len(g.key) == 0 { // tests that do not care: a key of this process
		g.key = make([]byte, 32)
		rand.Read(g.key)
	}
	if g.wait == nil {
		g.wait = sleep
	}
	var counter formsvc.RateCounter
	if cfg.Shared != nil {
		counter = cfg.Shared
	}
	if cfg.LoginLimit > 0 {
		g.addr = window.New("login/address", cfg.LoginLimit, cfg.LoginLimitPer, now, counter)
	}
	if cfg.LoginGlobalLimit > 0 {
		g.all = window.New("login/all", cfg.LoginGlobalLimit, cfg.LoginGlobalPer, now, counter)
	}
	return g
}

// sleep waits d, or until ctx ends. It holds nothing: no hash slot, no
// database connection.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// attempt is one password or code check let through: counted as a failure
// from the start, so that attempts made at once see each other, and
// uncounted if it succeeds.
type attempt struct {
	g          *loginGuard
	ctx        context.Context
	addr       string
	addrWindow time.Time
	allWindow  time.Time
}

// refusal is the guard's answer to an attempt it does not let through.
type refusal struct {
	status int           // 429 for the address, 503 for everyone
	retry  time.Duration // Retry-After
	msg    string        // for the page
}

// admit lets an attempt from r's address through, after the wait its
// address has earned, or refuses it: 429 for an address that failed too
// often, 503 when everyone together did or the counts cannot be read.
func (g *loginGuard) admit(r *http.Request) (*attempt, *refusal) {
	a := &attempt{g: g, ctx: context.WithoutCancel(r.Context()), addr: g.addrKey(r)}
	failures, refused := g.count(r.Context(), a)
	if refused != nil {
		return nil, refused
	}
	if d := loginDelay(failures); d > 0 {
		if err := g.wait(r.Context(), d); err != nil {
			a.succeeded() // the client left: nothing was tried
			return nil, &refusal{http.StatusServiceUnavailable, time.Minute, formsvc.MsgBusyLogin}
		}
	}
	return a, nil
}

// count looks at the counts and counts a as a failure, in one step, and
// returns the address's failures before it.
func (g *loginGuard) count(ctx context.Context, a *attempt) (int, *refusal) {
	unavailable := &refusal{http.StatusServiceUnavailable, time.Minute, formsvc.MsgUnavailable}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.all != nil {
		rate, err := g.all.Rate(ctx, "*")
		if err != nil {
			return 0, unavailable
		}
		if rate >= float64(g.all.N) {
			return 0, &refusal{http.StatusServiceUnavailable, g.all.Per, fmt.Sprintf(msgAllStopped, waitWords(g.all.Per))}
		}
	}
	var failures int
	if g.addr != nil {
		rate, err := g.addr.Rate(ctx, a.addr)
		if err != nil {
			return 0, unavailable
		}
		if rate >= float64(g.addr.N) {
			return 0, &refusal{http.StatusTooManyRequests, g.addr.Per, fmt.Sprintf(msgAddressStopped, waitWords(g.addr.Per))}
		}
		failures = int(math.Floor(rate))
		if a.addrWindow, err = g.addr.Add(ctx, a.addr, 1); err != nil {
			return 0, unavailable
		}
	}
	if g.all != nil {
		var err error
		if a.allWindow, err = g.all.Add(ctx, "*", 1); err != nil {
			a.undo()
			return 0, unavailable
		}
	}
	return failures, nil
}

// succeeded takes back the failure counted at admission: the check
// passed, or never ran (no hash slot came free).
func (a *attempt) succeeded() {
	a.g.mu.Lock()
	defer a.g.mu.Unlock()
	a.undo()
}

// undo takes back what admission counted; g.mu is held.
func (a *attempt) undo() {
	if a.g.addr != nil && !a.addrWindow.IsZero() {
		a.g.addr.Undo(a.ctx, a.addr, a.addrWindow)
	}
	if a.g.all != nil && !a.allWindow.IsZero() {
		a.g.all.Undo(a.ctx, "*", a.allWindow)
	}
}

// loginDelay is the wait before an attempt from an address with that many
// failures in the window.
func loginDelay(failures int) time.Duration {
	if failures < slowAfter {
		return 0
	}
	d := firstDelay
	for range failures - slowAfter {
		if d *= 2; d >= maxDelay {
			return maxDelay
		}
	}
	return d
}

// addrKey is r's client address (chi's middleware.GetClientIP; "" when
// unknown, which is then one address of its own), IPv6 by /64, as an HMAC.
func (g *loginGuard) addrKey(r *http.Request) string {
	m := hmac.New(sha256.New, g.key)
	m.Write([]byte(httprate.CanonicalizeIP(middleware.GetClientIP(r.Context()))))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// header sets Retry-After for the refusal and returns its status.
func (f *refusal) header(w http.ResponseWriter) int {
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(f.retry.Seconds()))))
	return f.status
}
