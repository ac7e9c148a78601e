package cli_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/cli"
	"github.com/hoaphong/phongchongmaidam/internal/pgtest"
)

// pgPassword is put in the test's DSN (the throwaway cluster trusts its
// socket, so it is never asked for): it must appear in no output.
const pgPassword = "Mat-Khau-Bi-Mat-7781"

// pgDSN is a fresh database on the throwaway cluster, as a URL with a
// password.
func pgDSN(t *testing.T) string {
	t.Helper()
	u, err := url.Parse(pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(u.User.Username(), pgPassword)
	return u.String()
}

// officerClient keeps cookies (for every port of a host) and does not
// follow redirects.
func officerClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// officerLogin posts the console's login form at base as a browser would
// (with the page's CSRF token) and returns the answer, its body read.
func officerLogin(t *testing.T, client *http.Client, base, username, password string) *http.Response {
	t.Helper()
	page, err := client.Get(base + "/officer/login")
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := goquery.NewDocumentFromReader(page.Body)
	page.Body.Close()
	tok, _ := doc.Find(`input[name="csrf_token"]`).First().Attr("value")
	req, _ := http.NewRequest("POST", base+"/officer/login", strings.NewReader(url.Values{"username": {username},
		"password": {password}, "csrf_token": {tok}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

// runIn runs one formsvc command to its end.
func runIn(t *testing.T, stdin string, args ...string) (code int, out string) {
	t.Helper()
	var b lockedBuffer
	code = cli.Run(context.Background(), append([]string{"formsvc"}, args...), func(string) string { return "" },
		strings.NewReader(stdin), &b, &b)
	return code, b.String()
}

// serveAt starts `formsvc serve` with args on a free port and returns its
// address; it is stopped at the test's end.
func serveAt(t *testing.T, args ...string) (base string, logs *lockedBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs = &lockedBuffer{}
	exit := make(chan int, 1)
	args = append([]string{"formsvc", "serve", "--addr", "127.0.0.1:0"}, args...)
	go func() { exit <- cli.Run(ctx, args, func(string) string { return "" }, nil, io.Discard, logs) }()
	t.Cleanup(func() {
		cancel()
		if c := <-exit; c != 0 {
			t.Errorf("serve exit %d:\n%s", c, logs.String())
		}
	})
	m := logs.waitFor(urlRe, 60*time.Second)
	if m == nil {
		t.Fatalf("serve did not start:\n%s", logs.String())
	}
	return m[1], logs
}

func postJSON(t *testing.T, u string, body any) (int, map[string]any) {
	t.Helper()
	b, _ := json.Marshal(body)
	res, err := http.Post(u, "application/json", strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

// Two `formsvc serve` on one PostgreSQL database (--db postgres://…) are
// one service: a tip sent to one is followed up on the other, an officer
// added by `officer add` on the same DSN logs in through one and is
// logged in on the other; purge runs on it, backup points to pg_dump; the
// DSN's password is in no log or message.
func TestServeOnPostgres(t *testing.T) {
	dsn := pgDSN(t)
	dir := t.TempDir()
	common := []string{"--db", dsn, "--key-file", filepath.Join(dir, "f.key")}
	var outputs []string
	const pw = "mat-khau-that-dai-2026"
	code, out := runIn(t, pw+"\n", append([]string{"officer", "add", "--username", "congan", "--role", "police", "--password-stdin"}, common...)...)
	outputs = append(outputs, out)
	if code != 0 || !strings.Contains(out, "Đã thêm tài khoản congan") {
		t.Fatalf("officer add: exit %d\n%s", code, out)
	}
	a, logsA := serveAt(t, append([]string{"--site", dir}, common...)...)
	b, logsB := serveAt(t, append([]string{"--site", dir}, common...)...)

	status, res := postJSON(t, a+"/api/v1/tips", map[string]any{"category": "lodging", "location": "Nhà nghỉ X",
		"description": "Có người bị giữ giấy tờ"})
	receipt, _ := res["receipt"].(string)
	if status != http.StatusCreated || receipt == "" {
		t.Fatalf("tip through a: %d %v", status, res)
	}
	status, res = postJSON(t, b+"/api/v1/follow-up/messages", map[string]string{"receipt": receipt, "message": "Tối qua lại thấy xe lạ."})
	if status != http.StatusCreated {
		t.Fatalf("follow-up message through b: %d %v", status, res)
	}
	status, res = postJSON(t, a+"/api/v1/follow-up", map[string]string{"receipt": receipt})
	if msgs, _ := res["messages"].([]any); status != http.StatusOK || len(msgs) != 1 || !strings.Contains(str(msgs[0]), "xe lạ") {
		t.Fatalf("follow-up through a: %d %v; want the message sent through b", status, res)
	}

	// The officer logs in through a; the session is in the database, so
	// b knows it (the jar sends the cookie to both: cookies ignore ports).
	client := officerClient()
	login := officerLogin(t, client, a, "congan", pw)
	if login.StatusCode != http.StatusSeeOther || login.Header.Get("Location") != "/officer/" {
		t.Fatalf("login through a: %d -> %q", login.StatusCode, login.Header.Get("Location"))
	}
	inbox, err := client.Get(b + "/officer/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(inbox.Body)
	inbox.Body.Close()
	if inbox.StatusCode != http.StatusOK || !regexp.MustCompile(`TB-\d{4}-0001`).Match(body) {
		t.Fatalf("inbox through b: %d, want the tip sent through a in it\n%.500s", inbox.StatusCode, body)
	}

	code, out = runIn(t, "", append([]string{"export", "--kind", "tip", "--format", "json"}, common...)...)
	outputs = append(outputs, out)
	if code != 0 || !strings.Contains(out, "Có người bị giữ giấy tờ") {
		t.Errorf("export: exit %d, want the tip's content\n%s", code, out)
	}
	year := strconv.Itoa(time.Now().In(formsvc.Vietnam).Year())
	code, out = runIn(t, "", append([]string{"report", "--period", year, "--format", "html"}, common...)...)
	outputs = append(outputs, out)
	if code != 0 || !strings.Contains(out, "<html") {
		t.Errorf("report: exit %d\n%.500s", code, out)
	}
	code, out = runIn(t, "", append([]string{"purge"}, common...)...)
	outputs = append(outputs, out)
	if code != 0 || !strings.Contains(out, "Đã xóa 0 hồ sơ") {
		t.Errorf("purge: exit %d\n%s", code, out)
	}
	code, out = runIn(t, "", append([]string{"backup", "--out", filepath.Join(dir, "b.db")}, common...)...)
	outputs = append(outputs, out)
	if code == 0 || !strings.Contains(out, "pg_dump") {
		t.Errorf("backup on PostgreSQL: exit %d, want a refusal pointing to pg_dump\n%s", code, out)
	}
	// A wrong key file: the error names the database without its password.
	other := []string{"--db", dsn, "--key-file", filepath.Join(t.TempDir(), "other.key")}
	code, out = runIn(t, "", append([]string{"officer", "list"}, other...)...)
	outputs = append(outputs, out)
	if code == 0 || !strings.Contains(out, "xxxxx") {
		t.Errorf("officer list with no key file: exit %d, want a refusal naming the database\n%s", code, out)
	}
	outputs = append(outputs, logsA.String(), logsB.String())
	for _, o := range outputs {
		if strings.Contains(o, pgPassword) {
			t.Errorf("the DSN's password is in an output:\n%s", o)
		}
	}
	if !strings.Contains(logsA.String(), "db=") {
		t.Errorf("serve does not log its database:\n%s", logsA.String())
	}
}

func str(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// formsvc migrate moves a demo database to PostgreSQL, says so table by
// table, and the service on PostgreSQL then lists the same records; run
// again it copies nothing; the password never shows.
func TestMigrateToPostgres(t *testing.T) {
	dir := t.TempDir()
	db, key := filepath.Join(dir, "formsvc.db"), filepath.Join(dir, "formsvc.key")
	if code, out := runIn(t, "", "demo", "--db", db, "--key-file", key, "--tips", "12", "--support", "6", "--months", "2"); code != 0 {
		t.Fatalf("demo: %d %s", code, out)
	}
	dsn := pgDSN(t)
	code, out := runIn(t, "", "migrate", "--from", db, "--key-file", key, "--to", dsn)
	if code != 0 || !strings.Contains(out, "submissions") || !strings.Contains(out, "Đã chuyển") {
		t.Fatalf("migrate: %d %s", code, out)
	}
	if strings.Contains(out, pgPassword) {
		t.Error("migrate printed the database password")
	}
	code, out = runIn(t, "", "migrate", "--from", db, "--key-file", key, "--to", dsn)
	if code != 0 {
		t.Fatalf("migrate again: %d %s", code, out)
	}
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) == 5 && f[0] == "submissions" && (f[1] != "18" || f[2] != "0" || f[3] != "18") {
			t.Errorf("second run: %q, want 18 in SQLite, 0 copied, 18 in PostgreSQL", line)
		}
	}
	code, out = runIn(t, "", "export", "--db", dsn, "--key-file", key, "--kind", "tip", "--format", "csv")
	if code != 0 || strings.Count(out, "TB-") != 12 {
		t.Errorf("export from PostgreSQL after the move: %d, %d tips", code, strings.Count(out, "TB-"))
	}
}
