package loadgen

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Load is one run: Conc clients post tips back to back until Duration has
// passed or MaxRequests were sent, whichever comes first.
type Load struct {
	URL string // the service, http://127.0.0.1:PORT
	// URLs, when set, are several instances of one service, in place of
	// URL: client w posts to URLs[w%len(URLs)].
	URLs        []string
	Conc        int
	Duration    time.Duration
	MaxRequests int64
	// Receipts, when set, receives the receipt of every 201 whose body
	// was read in full: those are the acknowledged submissions.
	Receipts func(receipt string)
}

// Result is what a run measured.
type Result struct {
	Conc      int
	Elapsed   time.Duration
	Accepted  int64 // 201 with a receipt
	Errors    int64 // anything else: other statuses, refused or cut connections
	Latencies []time.Duration
}

// PerSecond is accepted tips per second.
func (r Result) PerSecond() float64 { return float64(r.Accepted) / r.Elapsed.Seconds() }

// Percentile returns the p-th percentile (0..100) of the latencies of all
// requests, accepted or not.
func (r Result) Percentile(p float64) time.Duration {
	return Percentile(r.Latencies, p)
}

// Percentile returns the p-th percentile (nearest rank) of ds, sorting ds.
func Percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	i := int(float64(len(ds))*p/100+0.5) - 1
	i = max(0, min(i, len(ds)-1))
	return ds[i]
}

var categories = []string{"karaoke", "massage", "lodging", "cafe_bar", "online", "street", "other"}

// TipBody is a valid tip as the site's script sends it: JSON, with the
// Vietnamese text of a real report; n varies it.
func TipBody(n int64) []byte {
	b, _ := json.Marshal(map[string]any{
		"category":           categories[n%int64(len(categories))],
		"location":           fmt.Sprintf("Quán karaoke gần chợ, thôn %d, xã Hòa Phong", n%12+1),
		"description":        fmt.Sprintf("Buổi tối có nhiều người lạ ra vào, nghe nói có em gái còn nhỏ tuổi bị ép tiếp khách. Lần %d.", n),
		"observed_at":        "2026-01-15",
		"minors_involved":    n%5 == 0,
		"coercion_suspected": n%7 == 0,
		"contact":            "",
		"website":            "",
	})
	return b
}

// conn is one client's kept-alive HTTP/1.1 connection. The load
// generator writes requests itself and parses answers with net/http's own
// parser: a fraction of the CPU of http.Client, which matters when the
// generator shares two cores with the service (wrk works the same way).
type conn struct {
	addr string
	c    net.Conn
	r    *bufio.Reader
	w    *bufio.Writer
}

func (c *conn) close() {
	if c.c != nil {
		c.c.Close()
		c.c = nil
	}
}

// post sends one tip and reports its receipt when the answer is a 201
// read to the end. Any error closes the connection; the next post dials
// again.
func (c *conn) post(ctx context.Context, host string, body []byte) (string, bool) {
	if c.c == nil {
		d := net.Dialer{Timeout: 5 * time.Second}
		nc, err := d.DialContext(ctx, "tcp", c.addr)
		if err != nil {
			return "", false
		}
		c.c, c.r, c.w = nc, bufio.NewReaderSize(nc, 8<<10), bufio.NewWriterSize(nc, 8<<10)
	}
	c.c.SetDeadline(time.Now().Add(30 * time.Second))
	fmt.Fprintf(c.w, "POST /api/v1/tips HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"+
		"Accept-Encoding: gzip\r\nContent-Length: %d\r\n\r\n", host, len(body))
	c.w.Write(body)
	if err := c.w.Flush(); err != nil {
		c.close()
		return "", false
	}
	res, err := http.ReadResponse(c.r, nil)
	if err != nil {
		c.close()
		return "", false
	}
	b, err := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	res.Body.Close()
	if err != nil || res.Close {
		c.close()
	}
	if err != nil || res.StatusCode != http.StatusCreated {
		return "", false
	}
	var a answer
	if json.Unmarshal(b, &a) != nil || len(strings.ReplaceAll(a.Receipt, "-", "")) != 16 {
		return "", false
	}
	return a.Receipt, true
}

type answer struct {
	Receipt string `json:"receipt"`
}

// Run runs l and returns what it measured. It stops early when ctx ends.
func Run(ctx context.Context, l Load) Result {
	urls := l.URLs
	if len(urls) == 0 {
		urls = []string{l.URL}
	}
	var hosts []string
	for _, s := range urls {
		u, err := url.Parse(s)
		if err != nil || u.Scheme != "http" || u.Host == "" {
			return Result{Conc: l.Conc, Errors: 1}
		}
		hosts = append(hosts, u.Host)
	}
	var sent, accepted, failed atomic.Int64
	lats := make([][]time.Duration, l.Conc)
	ctx, cancel := context.WithTimeout(ctx, l.Duration)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for w := range l.Conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			host := hosts[w%len(hosts)]
			c := &conn{addr: host}
			defer c.close()
			mine := make([]time.Duration, 0, 1<<14)
			for ctx.Err() == nil {
				n := sent.Add(1)
				if l.MaxRequests > 0 && n > l.MaxRequests {
					break
				}
				t0 := time.Now()
				receipt, ok := c.post(ctx, host, TipBody(n))
				d := time.Since(t0)
				if ctx.Err() != nil && !ok {
					break // cut by the end of the run, not by the service
				}
				mine = append(mine, d)
				if ok {
					accepted.Add(1)
					if l.Receipts != nil {
						l.Receipts(receipt)
					}
				} else {
					failed.Add(1)
				}
			}
			lats[w] = mine
		}()
	}
	wg.Wait()
	r := Result{Conc: l.Conc, Elapsed: time.Since(start), Accepted: accepted.Load(), Errors: failed.Load()}
	for _, m := range lats {
		r.Latencies = append(r.Latencies, m...)
	}
	return r
}
