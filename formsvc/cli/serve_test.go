package cli_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc/cli"
)

type lockedBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	changed chan struct{} // closed (and replaced) on every write
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.changed != nil {
		close(l.changed)
		l.changed = nil
	}
	return l.b.Write(p)
}

// waitFor waits until the log matches re (or d passes) and returns the
// first match's submatches, or nil.
func (l *lockedBuffer) waitFor(re *regexp.Regexp, d time.Duration) []string {
	timeout := time.After(d)
	for {
		l.mu.Lock()
		m := re.FindStringSubmatch(l.b.String())
		if m == nil && l.changed == nil {
			l.changed = make(chan struct{})
		}
		changed := l.changed
		l.mu.Unlock()
		if m != nil {
			return m
		}
		select {
		case <-changed:
		case <-timeout:
			return nil
		}
	}
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var urlRe = regexp.MustCompile(`url=(http://127\.0\.0\.1:\d+)/`)

// serve runs `formsvc serve` in-process on a free port; cancel stops it
// the way SIGTERM does.
func serve(t *testing.T, extra ...string) (url string, cancel context.CancelFunc, exit <-chan int, logs *lockedBuffer) {
	t.Helper()
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	logs = &lockedBuffer{}
	code := make(chan int, 1)
	args := append([]string{"formsvc", "serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "db", "f.db"),
		"--key-file", filepath.Join(dir, "keys", "f.key"), "--site", dir}, extra...)
	go func() { code <- cli.Run(ctx, args, func(string) string { return "" }, nil, io.Discard, logs) }()
	if m := logs.waitFor(urlRe, 30*time.Second); m != nil {
		return m[1], cancel, code, logs
	}
	cancel()
	t.Fatalf("serve did not start:\n%s", logs.String())
	return
}

func TestServeCreatesDatabaseAndKeyOnFirstStart(t *testing.T) {
	url, cancel, exit, logs := serve(t)
	res, err := http.Get(url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("healthz = %d", res.StatusCode)
	}
	if !strings.Contains(logs.String(), "chưa có trang web đã dựng") {
		t.Errorf("no warning about the missing site:\n%s", logs.String())
	}
	cancel()
	if c := <-exit; c != 0 {
		t.Errorf("exit code %d, want 0:\n%s", c, logs.String())
	}
}

// TestServeFinishesInFlightRequestsOnStop: a request whose body is still
// arriving when the stop signal comes is answered, and stored, before the
// process exits.
func TestServeFinishesInFlightRequestsOnStop(t *testing.T) {
	url, cancel, exit, logs := serve(t)
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", url+"/api/v1/tips", pr)
	req.Header.Set("Content-Type", "application/json")
	// With Expect: 100-continue the client sends the body only once the
	// server's handler starts reading it, so the first write below
	// returns when the request is being handled.
	req.Header.Set("Expect", "100-continue")
	client := &http.Client{Transport: &http.Transport{ExpectContinueTimeout: 10 * time.Minute}}
	type result struct {
		status int
		err    error
	}
	done := make(chan result, 1)
	go func() {
		res, err := client.Do(req)
		if err != nil {
			done <- result{err: err}
			return
		}
		res.Body.Close()
		done <- result{status: res.StatusCode}
	}()
	// The pipe hands these bytes over only once the client reads them,
	// after the server's 100 Continue: the request is in flight.
	io.WriteString(pw, `{"category":"street","location":"Ngã tư chợ",`)
	cancel() // SIGTERM
	if logs.waitFor(regexp.MustCompile("đang dừng"), 30*time.Second) == nil {
		t.Fatalf("the stop did not begin:\n%s", logs.String())
	}
	select {
	case c := <-exit:
		t.Fatalf("exited (%d) while a request was in flight", c)
	default:
	}
	io.WriteString(pw, `"description":"Có người đứng mời chào vào ban đêm."}`)
	pw.Close()
	r := <-done
	if r.err != nil || r.status != http.StatusCreated {
		t.Fatalf("in-flight request: status %d, err %v", r.status, r.err)
	}
	if c := <-exit; c != 0 {
		t.Errorf("exit code %d:\n%s", c, logs.String())
	}
	if !strings.Contains(logs.String(), "đã dừng") {
		t.Errorf("no clean stop in the log:\n%s", logs.String())
	}
}

func TestBadConfigurationStopsStartUp(t *testing.T) {
	tests := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"serve", "--addr", "localhost"}, nil, "--addr"},
		{[]string{"serve", "--addr", "127.0.0.1:99999"}, nil, "cổng"},
		{[]string{"serve"}, map[string]string{"FORMSVC_ADDR": "nowhere"}, "--addr / FORMSVC_ADDR: \"nowhere\" không hợp lệ"},
		{[]string{"serve", "--db", ""}, nil, "--db / FORMSVC_DB: không được để trống"},
		{[]string{"serve", "--bogus"}, nil, "bogus"},
		{[]string{"nope"}, nil, "không có lệnh"},
		{[]string{"serve", "--allowed-origins", "ftp://x"}, nil, "--allowed-origins"},
		{[]string{"serve", "--allowed-origins", "https://a.example/path"}, nil, "--allowed-origins"},
		{[]string{"serve", "--trusted-proxies", "127.0.0.1/32"}, nil, "--client-ip-header"},
		{[]string{"serve", "--client-ip-header", "X-Real-Ip"}, nil, "cần đi cùng --trusted-proxies"},
		{[]string{"serve", "--client-ip-header", "X-Real-Ip", "--trusted-proxies", "loopback"}, nil, "CIDR"},
		{[]string{"serve", "--client-ip-header", "X-Nf-Client-Connection-Ip", "--trusted-proxies", "127.0.0.1/32"}, nil, "--netlify-secret-file"},
		{[]string{"serve", "--netlify-secret-file", "/no/such/file"}, nil, "không đọc được"},
		{[]string{"serve", "--submit-limit", "lots"}, nil, "--submit-limit"},
		{[]string{"serve", "--follow-up-limit", "5/soon"}, nil, "--follow-up-limit"},
		{[]string{"purge", "--retention", "-3d"}, nil, "--retention"},
		{[]string{"serve", "--overdue-after", "0"}, nil, "--overdue-after"},
		{[]string{"serve", "--secure-cookies", "maybe"}, nil, "--secure-cookies"},
		{[]string{"serve", "--login-limit", "x/1m"}, nil, "--login-limit"},
		{[]string{"purge"}, map[string]string{"FORMSVC_RETENTION": "forever"}, "--retention / FORMSVC_RETENTION: \"forever\" không hợp lệ"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stderr bytes.Buffer
			getenv := func(k string) string { return tt.env[k] }
			code := cli.Run(context.Background(), append([]string{"formsvc"}, tt.args...), getenv, nil, io.Discard, &stderr)
			if code == 0 || !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("exit %d, stderr %q; want failure mentioning %q", code, stderr.String(), tt.want)
			}
		})
	}
}

func TestBadKeyFileStopsStartUp(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "k")
	os.WriteFile(key, []byte("short"), 0o600)
	var stderr bytes.Buffer
	code := cli.Run(context.Background(), []string{"formsvc", "serve", "--addr", "127.0.0.1:0", "--key-file", key,
		"--db", filepath.Join(dir, "d.db")}, func(string) string { return "" }, nil, io.Discard, &stderr)
	if code == 0 || !strings.Contains(stderr.String(), "khóa bí mật") {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
}

func TestVersion(t *testing.T) {
	var out bytes.Buffer
	if code := cli.Run(context.Background(), []string{"formsvc", "version"}, os.Getenv, nil, &out, io.Discard); code != 0 || !strings.HasPrefix(out.String(), "formsvc ") {
		t.Errorf("version: exit %d, %q", code, out.String())
	}
}

// TestServeRefusesASiteOfAnotherBuild: a site folder with pages but no
// contract (or another forms.yaml) stops serve with a message to rebuild.
func TestServeRefusesASiteOfAnotherBuild(t *testing.T) {
	dir := t.TempDir()
	site := filepath.Join(dir, "site")
	os.MkdirAll(site, 0o755)
	os.WriteFile(filepath.Join(site, "index.html"), []byte("<p>cũ</p>"), 0o644)
	var stderr lockedBuffer
	code := cli.Run(context.Background(), []string{"formsvc", "serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "f.db"),
		"--key-file", filepath.Join(dir, "f.key"), "--site", site}, func(string) string { return "" }, nil, io.Discard, &stderr)
	if code == 0 || !strings.Contains(stderr.String(), "formsvc-contract.json") || !strings.Contains(stderr.String(), "dựng lại") {
		t.Errorf("exit %d, stderr:\n%s\nwant a refusal that says to rebuild the site", code, stderr.String())
	}
}
