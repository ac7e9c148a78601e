// Command photos measures the form service under photo bombs and prints
// the table of docs/BENCHMARKS.md ("Photo bombs").
//
// It builds formsvc (or takes -bin), and for each scenario starts a fresh
// `formsvc serve` as a child process on a free loopback port (rate limits
// off, the serve defaults otherwise), posts tips with one photo each, all
// of a round at once (eight by default), for a few rounds, and prints the
// answers, the longest answer, the service's CPU time and the peak
// resident memory of the whole service process (VmHWM from /proc).
//
// Run from the repository: go run ./bench/photos [-rounds 3] [-only bombs,phone12]
// With -bin, the same rounds against another build (for example the code
// before the photo budget).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hoaphong/phongchongmaidam/bench/internal/loadgen"
	"github.com/hoaphong/phongchongmaidam/formsvc/phototest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "photos:", err)
		os.Exit(1)
	}
}

// photo is one file posted, and what it is.
type photo struct {
	name, what string
	data       []byte
}

// scenario is a round's photos: photos[(i+round) % len(photos)] for
// request i, made when the scenario runs.
type scenario struct {
	name   string
	conc   int
	photos func() []photo
}

func scenarios() []scenario {
	prog := func() photo {
		return photo{"prog.jpg", "progressive JPEG 7000×7000", phototest.ProgressiveJPEG(7000, 7000, 3)}
	}
	cut := func() photo {
		return photo{"cut.jpg", "JPEG header of 4000×3000 cut after the scan header", phototest.TruncatedJPEG(4000, 3000)}
	}
	return []scenario{
		{"bombs", 8, func() []photo {
			return []photo{prog(),
				{"cmyk.jpg", "progressive CMYK JPEG 7071×7071", phototest.ProgressiveJPEG(7071, 7071, 4)},
				{"png16.png", "16-bit PNG 7071×7071", phototest.PNG16(7071, 7071)},
				cut()}
		}},
		{"truncated", 20, func() []photo { return []photo{cut()} }},
		{"gray-turned", 8, func() []photo {
			return []photo{{"gray.jpg", "gray JPEG 7000×7000, EXIF orientation 6", grayJPEG(7000, 7000, 6)}}
		}},
		{"largest-progressive", 8, func() []photo {
			return []photo{{"prog16.jpg", "progressive 4:2:0 JPEG 4600×3450, orientation 6 (near the budget)",
				phototest.WithMetadata(phototest.SampledJPEG(4600, 3450, 0x22), 6)}}
		}},
		{"phone50", 8, func() []photo {
			return []photo{{"p50.jpg", "50 MP phone photo 8160×6120, 4:2:0, orientation 6", smoothJPEG(8160, 6120, 6)}}
		}},
		{"phone12", 8, func() []photo {
			return []photo{{"p12.jpg", "12 MP phone photo 4000×3000, orientation 6", phototest.PhoneJPEG(4000, 3000, 6)}}
		}},
	}
}

// grayJPEG is a w×h gray JPEG (a gradient) with EXIF orientation o.
func grayJPEG(w, h, o int) []byte {
	m := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.Pix[y*m.Stride+x] = uint8((x + y) / 64)
		}
	}
	return encode(m, o)
}

// smoothJPEG is a w×h 4:2:0 JPEG of smooth gradients (so that a 50 MP
// photo fits the 5 MB file limit) with EXIF orientation o.
func smoothJPEG(w, h, o int) []byte {
	m := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	for y := range h {
		for x := range w {
			m.Y[y*m.YStride+x] = uint8(40 + x*160/w + y*40/h)
		}
	}
	for i := range m.Cb {
		m.Cb[i], m.Cr[i] = 110, 140
	}
	return encode(m, o)
}

func encode(m image.Image, o int) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: 90}); err != nil {
		panic(err)
	}
	return phototest.WithMetadata(b.Bytes(), o)
}

type options struct {
	rounds  int
	only    map[string]bool
	bin     string
	dir     string
	timeout time.Duration
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("photos", flag.ContinueOnError)
	var o options
	var only string
	fs.IntVar(&o.rounds, "rounds", 3, "rounds per scenario, each posting its photos all at once")
	fs.StringVar(&only, "only", "", "comma-separated scenarios to run (default: all)")
	fs.StringVar(&o.bin, "bin", "", "a formsvc binary to measure instead of building this repository's")
	fs.StringVar(&o.dir, "dir", "", "working folder (default: a new temporary folder, removed at the end)")
	fs.DurationVar(&o.timeout, "timeout", 3*time.Minute, "longest wait for one answer")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.rounds < 1 || o.rounds > 20 {
		return fmt.Errorf("-rounds %d: want 1 to 20", o.rounds)
	}
	all := scenarios()
	if only != "" {
		o.only = map[string]bool{}
		for _, s := range strings.Split(only, ",") {
			if !slices.ContainsFunc(all, func(sc scenario) bool { return sc.name == s }) {
				return fmt.Errorf("-only: no scenario %q", s)
			}
			o.only[s] = true
		}
	}
	if o.dir == "" {
		d, err := os.MkdirTemp("", "formsvc-photos-*")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		o.dir = d
	}
	bin := o.bin
	if bin == "" {
		var err error
		if bin, err = loadgen.BuildFormsvc(ctx, o.dir); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "Machine: %d CPU(s), %s; %s; binary %s\n", runtime.NumCPU(), memTotal(), runtime.Version(), bin)
	fmt.Fprintf(out, "Each scenario: a fresh `formsvc serve` (rate limits off), %d rounds; a round posts its tips, one photo each, all at once (multipart, Accept: application/json).\n\n", o.rounds)
	fmt.Fprintln(out, "| scenario | photo | at once | answers | longest answer | service CPU | service peak RSS (VmHWM) |")
	fmt.Fprintln(out, "|---|---|---:|---|---:|---:|---:|")
	var worst int64
	for _, sc := range all {
		if o.only != nil && !o.only[sc.name] {
			continue
		}
		peak, err := measure(ctx, out, bin, sc, o)
		if err != nil {
			return fmt.Errorf("%s: %w", sc.name, err)
		}
		worst = max(worst, peak)
	}
	fmt.Fprintf(out, "\nHighest peak: %s.\n", mib(worst))
	return nil
}

// measure runs one scenario on a fresh service and prints its row.
func measure(ctx context.Context, out io.Writer, bin string, sc scenario, o options) (int64, error) {
	dir := filepath.Join(o.dir, sc.name)
	if err := os.MkdirAll(filepath.Join(dir, "site"), 0o700); err != nil {
		return 0, err
	}
	srv, err := loadgen.Start(bin, loadgen.ServeArgs(dir))
	if err != nil {
		return 0, err
	}
	defer srv.Stop()
	cpu0, err := loadgen.CPUTime(srv.PID())
	if err != nil {
		return 0, err
	}
	photos := sc.photos()
	client := &http.Client{Timeout: o.timeout}
	answers := map[string]int{}
	var longest time.Duration
	for round := range o.rounds {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		got, slowest := postRound(ctx, client, srv.URL, sc.conc, photos, round)
		for k, v := range got {
			answers[k] += v
		}
		longest = max(longest, slowest)
	}
	cpu, err := loadgen.CPUTime(srv.PID())
	if err != nil {
		return 0, err
	}
	mem, err := loadgen.ReadMemory(srv.PID())
	if err != nil {
		return 0, err
	}
	var whats []string
	for _, p := range photos {
		whats = append(whats, fmt.Sprintf("%s (%s)", p.what, kb(len(p.data))))
	}
	var list []string
	for _, k := range slices.Sorted(maps.Keys(answers)) {
		list = append(list, fmt.Sprintf("%d × %s", answers[k], k))
	}
	fmt.Fprintf(out, "| %s | %s | %d | %s | %.1f s | %.1f s | %s |\n", sc.name, strings.Join(whats, "; "), sc.conc,
		strings.Join(list, ", "), longest.Seconds(), (cpu - cpu0).Seconds(), mib(mem.Peak))
	return mem.Peak, nil
}

// postRound posts conc tips at once and counts the answers by status
// and error code.
func postRound(ctx context.Context, client *http.Client, url string, conc int, photos []photo, round int) (map[string]int, time.Duration) {
	bodies := make([][]byte, conc)
	types := make([]string, conc)
	for i := range bodies {
		p := photos[(i+round)%len(photos)]
		bodies[i], types[i] = tipWithPhoto(p)
	}
	var (
		mu      sync.Mutex
		answers = map[string]int{}
		slowest time.Duration
		wg      sync.WaitGroup
		start   = make(chan struct{})
	)
	for i := range bodies {
		wg.Go(func() {
			<-start
			t0 := time.Now()
			a := post(ctx, client, url, types[i], bodies[i])
			d := time.Since(t0)
			mu.Lock()
			answers[a]++
			slowest = max(slowest, d)
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	return answers, slowest
}

// tipWithPhoto is a valid tip with one photo, as a multipart body.
func tipWithPhoto(p photo) ([]byte, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range map[string]string{
		"category":        "massage",
		"location":        "Tiệm xoa bóp cạnh chợ, thôn 2",
		"description":     "Buổi tối có nhiều người lạ ra vào, nghe nói có em gái còn nhỏ tuổi.",
		"observed_at":     "2026-01-15",
		"minors_involved": "true",
	} {
		mw.WriteField(k, v)
	}
	w, _ := mw.CreateFormFile("attachments", p.name)
	w.Write(p.data)
	mw.Close()
	return b.Bytes(), mw.FormDataContentType()
}

// post sends one body and names its answer: the status and, for an
// error, its code and the start of the photo field's message.
func post(ctx context.Context, client *http.Client, url, ct string, body []byte) string {
	req, err := http.NewRequestWithContext(ctx, "POST", url+"/api/v1/tips", bytes.NewReader(body))
	if err != nil {
		return "error: " + err.Error()
	}
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Accept", "application/json")
	res, err := client.Do(req)
	if err != nil {
		return "no answer (" + shortErr(err) + ")"
	}
	defer res.Body.Close()
	var e struct {
		Error  string            `json:"error"`
		Fields map[string]string `json:"fields"`
	}
	json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&e)
	a := fmt.Sprint(res.StatusCode)
	if e.Error != "" {
		a += " " + e.Error
	}
	if m := e.Fields["attachments"]; m != "" {
		a += " “" + firstWords(m, 9) + "…”"
	}
	return a
}

func firstWords(s string, n int) string {
	f := strings.Fields(s)
	return strings.Join(f[:min(n, len(f))], " ")
}

func shortErr(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		s = s[i+2:]
	}
	return s
}

func kb(n int) string {
	if n < 10<<10 {
		return fmt.Sprintf("%d B", n)
	}
	if n < 1<<20 {
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}

func mib(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }

func memTotal() string {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return "memory unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			var kb int64
			fmt.Sscan(rest, &kb)
			return fmt.Sprintf("%.1f GiB RAM", float64(kb)/(1<<20))
		}
	}
	return "memory unknown"
}
