package alert_test

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/alert"
)

func digest(kinds []formsvc.Kind, n int) []formsvc.DigestCounts {
	var out []formsvc.DigestCounts
	for _, k := range kinds {
		d := formsvc.DigestCounts{Kind: k, New: n, Overdue: n}
		spec, _ := formsvc.DefaultSpec()
		for _, s := range spec.Kind(k).Statuses {
			if s.Open {
				d.Open = append(d.Open, formsvc.StatusCount{Status: s.Code, N: n})
			}
		}
		out = append(out, d)
	}
	return out
}

// Every body of every type is EmailBodySize bytes, whatever the counts and
// the officer's role, even with the longest console address allowed.
func TestBodiesHaveOneSize(t *testing.T) {
	long := "https://" + strings.Repeat("x", alert.MaxConsoleURLLen-len("https:///officer/")) + "/officer/"
	at := time.Date(2026, 11, 30, 0, 30, 0, 0, time.UTC)
	for _, url := range []string{"http://127.0.0.1:8080/officer/", long} {
		x := alert.Text{ConsoleURL: url, OverdueAfter: 72 * time.Hour}
		for _, typ := range formsvc.AlertTypes {
			for _, role := range formsvc.Roles {
				for _, n := range []int{0, 1, 42, 1_234_567, math.MaxInt} {
					d := formsvc.AlertData{At: at}
					if typ == formsvc.AlertDigest {
						d.Digest = digest(role.Kinds(), n)
					} else {
						for _, k := range role.Kinds() {
							d.Counts = append(d.Counts, formsvc.AlertCount{Kind: k, N: n})
						}
					}
					body := x.Body(typ, d)
					if len(body) != alert.EmailBodySize {
						t.Errorf("%s for %s, count %d, console %d chars: body %d bytes, want %d",
							typ, role, n, len(url), len(strings.TrimRight(body, " \n")), alert.EmailBodySize)
					}
					if !strings.Contains(body, url) {
						t.Errorf("%s: no console address", typ)
					}
				}
			}
		}
	}
}

func TestBodyWords(t *testing.T) {
	x := alert.Text{ConsoleURL: "https://xa.example/officer/", OverdueAfter: 36 * time.Hour}
	at := time.Date(2026, 11, 30, 0, 30, 0, 0, time.UTC)
	body := x.Body(formsvc.AlertNew, formsvc.AlertData{Counts: []formsvc.AlertCount{{Kind: formsvc.KindTip, N: 1234}}, At: at})
	if !strings.Contains(body, "- Tin báo: 1.234\n") || !strings.Contains(body, "https://xa.example/officer/account") {
		t.Errorf("new:\n%s", body)
	}
	if b := x.Body(formsvc.AlertOverdue, formsvc.AlertData{Counts: []formsvc.AlertCount{{Kind: formsvc.KindSupport, N: 2}}}); !strings.Contains(b, "36 giờ") {
		t.Errorf("overdue:\n%s", b)
	}
	if b := x.Body(formsvc.AlertDigest, formsvc.AlertData{Digest: digest([]formsvc.Kind{formsvc.KindTip}, 3), At: at}); !strings.Contains(b, "lúc 30/11/2026 07:30") ||
		!strings.Contains(b, "- Đang mở: 15 (Mới nhận: 3; Đang xác minh: 3; Có căn cứ: 3; Không có căn cứ: 3; Đã chuyển cơ quan khác: 3)") {
		t.Errorf("digest:\n%s", b)
	}
	for _, typ := range formsvc.AlertTypes {
		if s := alert.Subject(typ); s == "" || strings.ContainsAny(s, "0123456789") {
			t.Errorf("Subject(%s) = %q", typ, s)
		}
	}
	for d, want := range map[time.Duration]string{72 * time.Hour: "3 ngày", 36 * time.Hour: "36 giờ", 90 * time.Minute: "90 phút"} {
		if got := alert.Duration(d); got != want {
			t.Errorf("Duration(%s) = %q, want %q", d, got, want)
		}
	}
}

func TestWebhookBodies(t *testing.T) {
	at := time.Date(2026, 11, 30, 1, 5, 0, 0, time.UTC)
	for _, typ := range formsvc.AlertTypes {
		for _, n := range []int{0, 7, math.MaxInt} {
			d := formsvc.AlertData{At: at, Counts: []formsvc.AlertCount{{Kind: formsvc.KindSupport, N: n}}}
			if typ == formsvc.AlertDigest {
				d = formsvc.AlertData{At: at, Digest: []formsvc.DigestCounts{{Kind: formsvc.KindSupport, Open: []formsvc.StatusCount{{Status: "received", N: n}}}}}
			}
			b := alert.WebhookBody(typ, formsvc.KindSupport, d)
			if len(b) != alert.WebhookBodySize {
				t.Errorf("%s, count %d: %d bytes, want %d", typ, n, len(b), alert.WebhookBodySize)
			}
			var e map[string]any
			if err := json.Unmarshal(b, &e); err != nil {
				t.Fatalf("%s: %v", b, err)
			}
			if len(e) != 4 || e["kind"] != "support" || e["at"] != "2026-11-30T08:05:00+07:00" || e["count"] != float64(n) {
				t.Errorf("body %s", b)
			}
		}
	}
}

// The signature is HMAC-SHA-256 of the exact body, as the README's
// receivers compute it (the value here was computed outside Go).
func TestSignature(t *testing.T) {
	body := []byte(`{"event":"new_cases","kind":"tip","count":3,"at":"2026-11-30T08:05:00+07:00"}`)
	want := "sha256=0cb4989206454b343e13f6fae396f3b54ac439bf1b18fa86829d4b43d050d4ed"
	if got := alert.Sign([]byte(hookSecret), body); got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
	if !alert.Verify([]byte(hookSecret), body, want) {
		t.Error("Verify refused a good signature")
	}
	for _, bad := range []string{"", want[:len(want)-1] + "0", strings.TrimPrefix(want, "sha256=")} {
		if alert.Verify([]byte(hookSecret), body, bad) {
			t.Errorf("Verify accepted %q", bad)
		}
	}
	if alert.Verify([]byte(hookSecret), append(body, ' '), want) {
		t.Error("Verify accepted a changed body")
	}
}

func TestParseSMTPURL(t *testing.T) {
	for _, c := range []struct {
		url      string
		host     string
		port     int
		implicit bool
		user     string
	}{
		{"smtp://127.0.0.1:2525", "127.0.0.1", 2525, false, ""},
		{"smtp://user:p%40ss@mail.example:587", "mail.example", 587, false, "user"},
		{"smtp://mail.example", "mail.example", 587, false, ""},
		{"smtps://u:p@mail.example", "mail.example", 465, true, "u"},
		{"smtp://u:p@[::1]:25?auth=login", "::1", 25, false, "u"},
	} {
		s, err := alert.ParseSMTPURL(c.url)
		if err != nil || s.Host != c.host || s.Port != c.port || s.Implicit != c.implicit || s.User != c.user {
			t.Errorf("ParseSMTPURL(%q) = %+v, %v", c.url, s, err)
		}
	}
	for _, bad := range []string{"http://mail.example", "smtp://", "smtp://mail.example:99999", "smtp://mail.example/x",
		"smtp://u:p@mail.example?auth=magic", "smtp://mail.example?auth=plain", "smtp://mail.example?tls=off"} {
		_, err := alert.ParseSMTPURL(bad)
		if err == nil {
			t.Errorf("ParseSMTPURL(%q) accepted", bad)
		} else if strings.Contains(err.Error(), "p@ss") {
			t.Errorf("error repeats the password: %v", err)
		}
	}
	if _, err := alert.ParseSMTPURL("smtp://u:bi-mat@mail.example?auth=magic"); err == nil || strings.Contains(err.Error(), "bi-mat") {
		t.Errorf("error %v: want one that does not repeat the password", err)
	}
}

func TestWebhookURLAndSecret(t *testing.T) {
	for _, ok := range []string{"https://bridge.example/hook", "http://127.0.0.1:9000/hook", "http://localhost/x"} {
		if err := alert.CheckWebhookURL(ok); err != nil {
			t.Errorf("CheckWebhookURL(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"http://bridge.example/hook", "ftp://x", "https://", "https://u:p@bridge.example/"} {
		if alert.CheckWebhookURL(bad) == nil {
			t.Errorf("CheckWebhookURL(%q) accepted", bad)
		}
	}
	if _, err := alert.NewWebhook("https://bridge.example/", []byte("ngan"), nil); err == nil {
		t.Error("a 4-byte secret was accepted")
	}
}
