package cli_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/hoaphong/phongchongmaidam/formsvc/web"
)

// twoInstances starts two `formsvc serve` on one PostgreSQL database with
// the extra flags, as a province runs them behind a load balancer.
func twoInstances(t *testing.T, flags ...string) (a, b string) {
	t.Helper()
	dir := t.TempDir()
	common := append([]string{"--db", pgDSN(t), "--key-file", filepath.Join(dir, "f.key"), "--site", dir}, flags...)
	a, _ = serveAt(t, common...)
	b, _ = serveAt(t, common...)
	return a, b
}

var aTip = map[string]any{"category": "lodging", "location": "Nhà nghỉ X", "description": "Có người bị giữ giấy tờ"}

// A client's allowance is the same however many instances serve it: with
// --submit-limit 4/10m, four tips through two instances in turn are taken
// and the fifth is refused by both (each instance counting alone would
// have taken eight). The same for failed logins (--login-limit 3/10m).
func TestLimitsHoldAcrossInstances(t *testing.T) {
	a, b := twoInstances(t, "--submit-limit", "4/10m", "--submit-global-limit", "off", "--login-limit", "3/10m")
	for i, base := range []string{a, b, a, b} {
		if status, res := postJSON(t, base+"/api/v1/tips", aTip); status != http.StatusCreated {
			t.Fatalf("tip %d: %d %v", i+1, status, res)
		}
	}
	for _, base := range []string{a, b} {
		if status, res := postJSON(t, base+"/api/v1/tips", aTip); status != http.StatusTooManyRequests || res["error"] != "too_many" {
			t.Errorf("fifth tip through %s: %d %v, want 429", base, status, res)
		}
	}

	client := officerClient()
	login := func(base string) int {
		return officerLogin(t, client, base, "khong-co", "sai-mat-khau-roi-nhe").StatusCode
	}
	for i, base := range []string{a, b, a} {
		if got := login(base); got != http.StatusUnauthorized {
			t.Fatalf("failed login %d: %d, want 401", i+1, got)
		}
	}
	if got := login(b); got != http.StatusTooManyRequests {
		t.Errorf("fourth failed login, through the other instance: %d, want 429", got)
	}
}

// Tokens that are good once are good once on any instance: the receipt
// page a plain post on one instance redirects to opens on the other, then
// never again anywhere; a challenge issued by one instance is answered to
// the other, and its answer is refused when sent again.
func TestOneTimeTokensAcrossInstances(t *testing.T) {
	// A shared ceiling of 8: 6 for the site's JavaScript, challenges from 3.
	a, b := twoInstances(t, "--submit-limit", "off", "--submit-global-limit", "8/10m")
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.PostForm(a+"/api/v1/tips", url.Values{"category": {"lodging"}, "location": {"Nhà nghỉ Y"},
		"description": {"Gửi không dùng JavaScript"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/api/v1/receipts/") {
		t.Fatalf("plain post: %d -> %q, want 303 to a receipt page", res.StatusCode, loc)
	}
	get := func(u string) (int, string) {
		t.Helper()
		res, err := client.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(body)
	}
	if status, body := get(b + loc); status != http.StatusOK || !strings.Contains(body, "biên nhận") {
		t.Fatalf("receipt page on the other instance: %d\n%.300s", status, body)
	}
	for _, base := range []string{a, b} {
		if status, _ := get(base + loc); status != http.StatusGone {
			t.Errorf("receipt page again on %s: %d, want 410", base, status)
		}
	}

	for i := range 3 {
		if status, res := postJSON(t, []string{a, b}[i%2]+"/api/v1/tips", aTip); status != http.StatusCreated {
			t.Fatalf("tip %d: %d %v", i+1, status, res)
		}
	}
	// Through b, which then knows of the pressure at once (its challenge
	// route may otherwise answer up to a second late: web.pressedFor).
	if status, body := postJSON(t, b+"/api/v1/tips", aTip); status != http.StatusPreconditionRequired {
		t.Fatalf("tip past half the share without an answer: %d %v, want 428", status, body)
	}
	var ch struct {
		Required  bool
		Challenge *web.Challenge
	}
	chRes, err := http.Get(b + "/api/v1/challenge")
	if err != nil {
		t.Fatal(err)
	}
	jsonDecode(t, chRes.Body, &ch)
	if !ch.Required || ch.Challenge == nil {
		t.Fatalf("challenge from the other instance: %+v, want one required", ch)
	}
	answer, err := web.Solve(*ch.Challenge)
	if err != nil {
		t.Fatal(err)
	}
	post := func(base string) int {
		req, _ := http.NewRequest("POST", base+"/api/v1/tips", strings.NewReader(`{"category":"lodging","location":"Nhà nghỉ Z","description":"Có lời giải"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(web.PowHeader, answer)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if got := post(a); got != http.StatusCreated {
		t.Fatalf("answer from b's challenge sent to a: %d, want 201", got)
	}
	if got := post(b); got != http.StatusPreconditionRequired {
		t.Errorf("the same answer again, to b: %d, want 428", got)
	}
}

func jsonDecode(t *testing.T, r io.ReadCloser, v any) {
	t.Helper()
	defer r.Close()
	if err := json.NewDecoder(r).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// `formsvc grant` migrates as the owner and grants the service's role;
// serve then runs as that role, which the database does not let delete
// the audit log. A role name that is not one is refused before anything.
func TestGrantThenServeAsServiceRole(t *testing.T) {
	ctx := context.Background()
	owner := pgDSN(t)
	dir := t.TempDir()
	key := filepath.Join(dir, "f.key")
	c, err := pgx.Connect(ctx, owner)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, `DO $$ BEGIN CREATE ROLE formsvc_app LOGIN;
		EXCEPTION WHEN duplicate_object THEN NULL; END $$`); err != nil {
		t.Fatal(err)
	}
	if code, out := runIn(t, "", "grant", "--db", owner, "--key-file", key, "--role", "app; DROP TABLE x"); code == 0 || !strings.Contains(out, "--role") {
		t.Errorf("grant with a bad role name: exit %d\n%s", code, out)
	}
	code, out := runIn(t, "", "grant", "--db", owner, "--key-file", key, "--role", "formsvc_app")
	if code != 0 || !strings.Contains(out, "Đã cấp quyền cho vai trò formsvc_app") || strings.Contains(out, pgPassword) {
		t.Fatalf("grant: exit %d\n%s", code, out)
	}
	u, _ := url.Parse(owner)
	u.User = url.User("formsvc_app")
	service := u.String()
	base, _ := serveAt(t, "--db", service, "--key-file", key, "--site", dir)
	if status, res := postJSON(t, base+"/api/v1/tips", aTip); status != http.StatusCreated {
		t.Fatalf("tip to the service running as formsvc_app: %d %v", status, res)
	}
	sc, err := pgx.Connect(ctx, service)
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close(ctx)
	if _, err := sc.Exec(ctx, `DELETE FROM audit_log`); err == nil || !strings.Contains(err.Error(), "42501") {
		t.Errorf("DELETE FROM audit_log as formsvc_app: %v, want permission denied (42501)", err)
	}
}
