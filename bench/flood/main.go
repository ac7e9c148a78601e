// Command flood measures what share of real reporters' tips the service
// accepts while a flood comes from 1, 256 or 65,536 addresses
// (docs/BENCHMARKS.md, "Under attack").
//
// The real service (web.NewServer over a fresh SQLite file, the default
// limits) runs in this process behind a loopback "proxy" header, so that
// one machine can speak from many addresses. Flooders send valid tips as
// fast as their connections allow, as JSON without answering the
// proof-of-work challenge (a bot that does not run the site's script), as
// plain form posts, or as JSON answering every challenge with native code
// (the strongest flooder). Meanwhile real reporters, each from an address
// of their own, send a tip every -every: half as the site's JavaScript
// does (ask whether a challenge is needed, solve it, post), half as a
// plain form post with JavaScript off.
//
// With -pg the service runs on PostgreSQL instead (a throwaway cluster of
// Debian's PostgreSQL, internal/pgcluster), counting its limits in the
// database as several instances would (formsvc/shared.go).
//
//	go run ./bench/flood -d 30s [-pg]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hoaphong/phongchongmaidam/data"
	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/postgres"
	"github.com/hoaphong/phongchongmaidam/formsvc/sqlite"
	"github.com/hoaphong/phongchongmaidam/formsvc/web"
	"github.com/hoaphong/phongchongmaidam/internal/pgcluster"
)

const header = "X-Bench-Client"

func main() {
	dur := flag.Duration("d", 30*time.Second, "length of each scenario")
	every := flag.Duration("every", 100*time.Millisecond, "a real reporter sends a tip this often")
	workers := flag.Int("c", 32, "flooding connections")
	pg := flag.Bool("pg", false, "run the service on PostgreSQL, its limits counted in the database")
	flag.Parse()
	var cluster *pgcluster.Cluster
	if *pg {
		var err error
		if cluster, err = pgcluster.Start(context.Background()); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer cluster.Stop()
	}
	fmt.Printf("%-9s %-12s %8s %10s %10s %12s %12s\n", "addresses", "flood", "flood/s", "flood ok", "real JS ok", "real plain ok", "JS median ms")
	for _, sc := range []struct {
		addrs int
		kind  string
	}{{0, "none"}, {1, "json"}, {256, "json"}, {65536, "json"}, {1, "plain"}, {256, "plain"}, {65536, "plain"}, {65536, "json+pow"}} {
		r, err := run(cluster, sc.addrs, sc.kind, *dur, *every, *workers)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			if cluster != nil {
				cluster.Stop()
			}
			os.Exit(1)
		}
		fmt.Printf("%-9d %-12s %8.0f %10d %9.1f%% %11.1f%% %12.0f\n", sc.addrs, sc.kind, r.floodRate, r.floodOK,
			100*float64(r.jsOK)/float64(max(r.js, 1)), 100*float64(r.plainOK)/float64(max(r.plain, 1)), r.jsMedianMS)
	}
}

type result struct {
	floodRate      float64
	floodOK        int64
	js, jsOK       int64
	plain, plainOK int64
	jsMedianMS     float64
}

// scenarios counts the databases made on the cluster.
var scenarios int

// openStore opens a fresh store: an SQLite file in dir, or a new database
// on the cluster; shared is what the server counts limits in (nil: its
// memory).
func openStore(cluster *pgcluster.Cluster, dir string, keys *formsvc.Keys) (db web.Store, shared formsvc.SharedState, closeDB func() error, err error) {
	if cluster == nil {
		lite, err := sqlite.Open(context.Background(), filepath.Join(dir, "db"), keys)
		if err != nil {
			return nil, nil, nil, err
		}
		return lite, nil, lite.Close, nil
	}
	scenarios++
	dsn, err := cluster.CreateDatabase(context.Background(), fmt.Sprintf("flood%d", scenarios))
	if err != nil {
		return nil, nil, nil, err
	}
	pg, err := postgres.Open(context.Background(), dsn, keys)
	if err != nil {
		return nil, nil, nil, err
	}
	return pg, pg.SharedState(), pg.Close, nil
}

func run(cluster *pgcluster.Cluster, addrs int, kind string, dur, every time.Duration, workers int) (result, error) {
	dir, err := os.MkdirTemp("", "flood")
	if err != nil {
		return result{}, err
	}
	defer os.RemoveAll(dir)
	spec, err := formsvc.ParseSpec(data.FormsYAML)
	if err != nil {
		return result{}, err
	}
	keys, err := formsvc.LoadOrCreateKeyFile(filepath.Join(dir, "k"))
	if err != nil {
		return result{}, err
	}
	db, shared, closeDB, err := openStore(cluster, dir, keys)
	if err != nil {
		return result{}, err
	}
	defer closeDB()
	srv := web.NewServer(web.Config{Spec: spec, Store: db, Keys: keys, SiteDir: dir, Shared: shared,
		Logger: slog.New(slog.DiscardHandler), Limits: web.DefaultLimits,
		ClientIPHeader: header, TrustedProxies: []string{"127.0.0.1/32"}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return result{}, err
	}
	hs := web.HTTPServer(ln.Addr().String(), srv.Handler(), slog.New(slog.DiscardHandler), web.Timeouts{})
	go hs.Serve(ln)
	defer hs.Shutdown(context.Background())
	base := "http://" + ln.Addr().String()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	ctx, cancel := context.WithTimeout(context.Background(), dur)
	defer cancel()
	var r result
	var flood atomic.Int64
	var floodOK atomic.Int64
	var wg sync.WaitGroup
	var next atomic.Int64
	if addrs > 0 {
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for ctx.Err() == nil {
					n := next.Add(1)
					ip := fmt.Sprintf("198.18.%d.%d", (n%int64(addrs))/256, (n%int64(addrs))%256)
					var ok bool
					switch kind {
					case "json":
						ok = postJSON(ctx, client, base, ip, "") == http.StatusCreated
					case "plain":
						ok = postPlain(ctx, client, base, ip)
					case "json+pow":
						ok = reportJS(ctx, client, base, ip)
					}
					flood.Add(1)
					if ok {
						floodOK.Add(1)
					}
				}
			}()
		}
	}
	// Real reporters.
	var lat []time.Duration
	var mu sync.Mutex
	tick := time.NewTicker(every)
	defer tick.Stop()
	i := 0
	start := time.Now()
	for ctx.Err() == nil {
		select {
		case <-ctx.Done():
		case <-tick.C:
			i++
			ip := fmt.Sprintf("100.%d.%d.%d", 64+i/65536, (i/256)%256, i%256)
			wg.Add(1)
			go func(js bool) {
				defer wg.Done()
				if js {
					t0 := time.Now()
					ok := reportJS(context.Background(), client, base, ip)
					mu.Lock()
					r.js++
					if ok {
						r.jsOK++
						lat = append(lat, time.Since(t0))
					}
					mu.Unlock()
					return
				}
				ok := postPlain(context.Background(), client, base, ip)
				mu.Lock()
				r.plain++
				if ok {
					r.plainOK++
				}
				mu.Unlock()
			}(i%2 == 0)
		}
	}
	wg.Wait()
	r.floodRate = float64(flood.Load()) / time.Since(start).Seconds()
	r.floodOK = floodOK.Load()
	if len(lat) > 0 {
		slices.Sort(lat)
		r.jsMedianMS = float64(lat[len(lat)/2].Microseconds()) / 1000
	}
	return r, nil
}

const tipJSON = `{"category":"online","location":"Một nhóm trên mạng","description":"Có người rao bán dâm, nghi có người dưới 18 tuổi."}`

var tipForm = url.Values{"category": {"online"}, "location": {"Một nhóm trên mạng"},
	"description": {"Có người rao bán dâm, nghi có người dưới 18 tuổi."}}.Encode()

// postJSONWith posts a tip as JSON with a proof-of-work answer (or none)
// and returns the status, and a 428's challenge.
func postJSONWith(ctx context.Context, c *http.Client, base, ip, answer string) (int, *web.Challenge) {
	req, _ := http.NewRequestWithContext(ctx, "POST", base+"/api/v1/tips", strings.NewReader(tipJSON))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(header, ip)
	if answer != "" {
		req.Header.Set(web.PowHeader, answer)
	}
	res, err := c.Do(req)
	if err != nil {
		return 0, nil
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusPreconditionRequired {
		io.Copy(io.Discard, res.Body)
		return res.StatusCode, nil
	}
	var body struct {
		Challenge *web.Challenge `json:"challenge"`
	}
	json.NewDecoder(res.Body).Decode(&body)
	return res.StatusCode, body.Challenge
}

func postJSON(ctx context.Context, c *http.Client, base, ip, answer string) int {
	s, _ := postJSONWith(ctx, c, base, ip, answer)
	return s
}

// reportJS does what site.js does: ask whether a challenge is needed,
// solve it, post; on a 428, solve the challenge it carries and post again.
func reportJS(ctx context.Context, c *http.Client, base, ip string) bool {
	answer := ""
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/v1/challenge", nil)
	if res, err := c.Do(req); err == nil {
		var body struct {
			Required  bool           `json:"required"`
			Challenge *web.Challenge `json:"challenge"`
		}
		json.NewDecoder(res.Body).Decode(&body)
		res.Body.Close()
		if body.Required && body.Challenge != nil {
			answer, _ = web.Solve(*body.Challenge)
		}
	}
	status, ch := postJSONWith(ctx, c, base, ip, answer)
	if status == http.StatusPreconditionRequired && ch != nil {
		answer, _ = web.Solve(*ch)
		status, _ = postJSONWith(ctx, c, base, ip, answer)
	}
	return status == http.StatusCreated
}

func postPlain(ctx context.Context, c *http.Client, base, ip string) bool {
	req, _ := http.NewRequestWithContext(ctx, "POST", base+"/api/v1/tips", strings.NewReader(tipForm))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(header, ip)
	res, err := c.Do(req)
	if err != nil {
		return false
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode == http.StatusSeeOther
}
