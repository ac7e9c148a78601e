package console_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/console"
	"github.com/hoaphong/phongchongmaidam/internal/specs"
)

// An officer raises a tip's priority with a reason: it shows on the case
// page with the reason, in the audit log without it, and the inbox puts
// the tip first.
func TestOfficerSetsPriorityWithAReason(t *testing.T) {
	a := newApp(t)
	_, urgent := a.submitRef("/api/v1/tips", `{"category":"online","location":"Nhóm mạng xã hội","description":"Tuyển nữ 16 đến 20 tuổi đi làm ở nước ngoài, bao ăn ở"}`)
	_, other := a.submitRef("/api/v1/tips", `{"category":"karaoke","location":"Quán K","description":"Mở cửa muộn"}`)
	b := a.loggedIn("congan")
	_, doc := b.get("/officer/")
	if first := doc.Find("table.cases tbody tr a").First().Text(); first != other {
		t.Fatalf("before: first row %q, want the newer %s", first, other)
	}
	p := "/officer/cases/" + urgent
	for _, v := range []url.Values{
		{"priority": {"high"}, "reason": {" "}, "from": {"normal"}},
		{"priority": {"urgent"}, "reason": {"x"}, "from": {"normal"}},
		{"priority": {"normal"}, "reason": {"không đổi"}, "from": {"normal"}},
	} {
		if res, doc := b.post(p, p+"/priority", v); res.StatusCode != http.StatusUnprocessableEntity || doc.Find(".error-summary").Length() == 0 {
			t.Errorf("%v: %d, want 422 with a message", v, res.StatusCode)
		}
	}
	reason := "Có dấu hiệu tuyển người chưa thành niên đi nước ngoài."
	res, _ := b.post(p, p+"/priority", url.Values{"priority": {"high"}, "reason": {reason}, "from": {"normal"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("raise priority: %d", res.StatusCode)
	}
	// A second form still showing "normal" is stale.
	if res, _ := b.post(p, p+"/priority", url.Values{"priority": {"high"}, "reason": {"lần nữa"}, "from": {"normal"}}); res.StatusCode != http.StatusConflict {
		t.Errorf("stale priority change: %d, want 409", res.StatusCode)
	}
	_, doc = b.get(p)
	if doc.Find(".facts .badge-high").Length() != 1 || !strings.Contains(doc.Find("#priority table").Text(), reason) {
		t.Error("the case page does not show the new priority with its reason")
	}
	_, doc = b.get("/officer/")
	if first := doc.Find("table.cases tbody tr a").First().Text(); first != urgent {
		t.Errorf("after: first row %q, want %s", first, urgent)
	}
	found := false
	for _, e := range a.audit() {
		if e.Action == formsvc.AuditPriority && e.Target == urgent {
			found = e.Detail == "normal → high"
		}
		if strings.Contains(e.Detail, "nước ngoài") {
			t.Errorf("audit entry %+v holds the reason", e)
		}
	}
	if !found {
		t.Error("the audit log lacks the priority change")
	}
}

// A reference in the search box opens the case, also as a link; one of
// the other kind is not found, as if it did not exist.
func TestSearchByReference(t *testing.T) {
	a := newApp(t)
	_, tipRef := a.tip()
	_, supportRef := a.support()
	b := a.loggedIn("congan")
	res, _ := b.get("/officer/?q=" + url.QueryEscape(strings.ToLower(tipRef)))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/officer/cases/"+tipRef {
		t.Errorf("search %s: %d to %q", tipRef, res.StatusCode, res.Header.Get("Location"))
	}
	res, doc := b.get("/officer/?q=" + supportRef)
	if res.StatusCode != 200 || !strings.Contains(doc.Find("#case-search-error").Text(), "Không có hồ sơ mã") {
		t.Errorf("search for the other kind's %s: %d %q", supportRef, res.StatusCode, doc.Find("#case-search-error").Text())
	}
	res, doc = b.get("/officer/?q=TB-2026-9999")
	if res.StatusCode != 200 || doc.Find("#case-search-error").Length() != 1 {
		t.Errorf("search for no case: %d", res.StatusCode)
	}
}

// Words find the cases of the officer's kinds whose text holds them all,
// accents and case aside; they never reach a log line or the audit.
func TestSearchByWords(t *testing.T) {
	var logs lockedBuffer
	a := newApp(t, func(c *console.Config) { c.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })
	_, hit := a.submitRef("/api/v1/tips", `{"category":"lodging","location":"Nhà nghỉ Hoa Sen","description":"Chủ nhà nghỉ giữ giấy tờ của hai cô gái"}`)
	a.submitRef("/api/v1/tips", `{"category":"karaoke","location":"Quán hát Sao Mai","description":"Mở cửa quá giờ"}`)
	a.support() // the police never see it, whatever it says
	b := a.loggedIn("congan")
	res, doc := b.get("/officer/?q=" + url.QueryEscape("nha nghi HOA SEN"))
	if res.StatusCode != 200 {
		t.Fatalf("search: %d", res.StatusCode)
	}
	rows := doc.Find("table.cases tbody tr")
	if rows.Length() != 1 || rows.Find("a").First().Text() != hit {
		t.Errorf("search found %d rows (%q), want only %s", rows.Length(), rows.Text(), hit)
	}
	if !strings.Contains(doc.Find(".search-result").Text(), "1 hồ sơ khớp") {
		t.Errorf("result line %q", doc.Find(".search-result").Text())
	}
	// The social officer's search for the same words finds nothing of the police's.
	_, doc = a.loggedIn("xahoi").get("/officer/?q=" + url.QueryEscape("Hoa Sen"))
	if doc.Find("table.cases tbody tr").Length() != 0 {
		t.Error("a social officer's search found a tip")
	}
	for _, e := range a.audit() {
		if strings.Contains(strings.ToLower(e.Detail+e.Target), "hoa sen") {
			t.Errorf("audit entry %+v holds the search words", e)
		}
	}
	if n := len(auditOf(a, formsvc.AuditSearch)); n != 2 {
		t.Errorf("%d search entries in the audit log, want 2", n)
	}
	if strings.Contains(strings.ToLower(logs.String()), "hoa sen") {
		t.Error("a log line holds the search words")
	}
	// Too short, too long: a message, no search.
	for _, q := range []string{"a", strings.Repeat("x", 101)} {
		if _, doc := b.get("/officer/?q=" + q); doc.Find("#case-search-error").Length() != 1 {
			t.Errorf("q=%.10q…: no message", q)
		}
	}
}

// A referral records where to, and later the outcome; the report counts it
// by destination; the reporter only reads that it was passed on.
func TestReferralOnRecord(t *testing.T) {
	a := newApp(t)
	receipt, ref := a.support()
	b := a.loggedIn("xahoi")
	p := "/officer/cases/" + ref
	if res, doc := b.post(p, p+"/status", url.Values{"status": {"referred"}, "note": {"Cần xét nghiệm."}, "from": {"received"}}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(doc.Find(".error-summary").Text(), "nơi chuyển tới") {
		t.Errorf("referral without a destination: %d", res.StatusCode)
	}
	if res, _ := b.post(p, p+"/status", url.Values{"status": {"referred"}, "destination": {"cong_an_tinh"}, "note": {"x"}, "from": {"received"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a support request referred to a tips-only destination: %d, want 422", res.StatusCode)
	}
	res, _ := b.post(p, p+"/status", url.Values{"status": {"referred"}, "destination": {"cdc_tinh"}, "note": {"Giới thiệu xét nghiệm HIV."}, "from": {"received"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("refer: %d", res.StatusCode)
	}
	_, doc := b.get(p)
	refs := doc.Find("#referrals li")
	if refs.Length() != 1 || !strings.Contains(refs.Text(), "Trung tâm Kiểm soát bệnh tật tỉnh") || !strings.Contains(refs.Text(), "chưa ghi") {
		t.Fatalf("referrals shown: %q", refs.Text())
	}
	action, _ := refs.Find("form").Attr("action")
	if res, _ := b.post(p, action, url.Values{"outcome": {"accepted"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("outcome: %d", res.StatusCode)
	}
	if res, _ := b.post(p, p+"/referrals/999999/outcome", url.Values{"outcome": {"accepted"}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("outcome of another record's referral: %d, want 404", res.StatusCode)
	}
	_, doc = b.get(p)
	if !strings.Contains(doc.Find("#referrals").Text(), "Nơi nhận đã tiếp nhận") {
		t.Errorf("outcome not shown: %q", doc.Find("#referrals").Text())
	}

	// The reporter: progress only.
	fres, err := http.Post(a.srv.URL+"/api/v1/follow-up", "application/json", strings.NewReader(`{"receipt":"`+receipt+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(fres.Body)
	fres.Body.Close()
	var fu struct {
		StatusLabel string `json:"status_label"`
	}
	json.Unmarshal(body, &fu)
	if fu.StatusLabel != specs.Kind(t, formsvc.KindSupport).PublicLabel("referred") || bytes.Contains(body, []byte("Kiểm soát")) || bytes.Contains(body, []byte("cdc")) {
		t.Errorf("follow-up tells the destination: %s", body)
	}

	// The report counts the referral by destination.
	_, report := b.download("/officer/report/download?period=" + thisYear())
	i := strings.Index(report, "Theo nơi chuyển tới")
	if i < 0 || !strings.Contains(report[i:], "Trung tâm Kiểm soát bệnh tật tỉnh") {
		t.Fatal("the report has no table by destination")
	}
}

// submitRef sends a form through the public API; its receipt and reference.
func (a *app) submitRef(path, body string) (receipt, ref string) {
	a.t.Helper()
	r := a.submit(path, body)
	return r, a.refOf(r)
}

func auditOf(a *app, action string) []formsvc.AuditEntry {
	var out []formsvc.AuditEntry
	for _, e := range a.audit() {
		if e.Action == action {
			out = append(out, e)
		}
	}
	return out
}

// lockedBuffer is a log's destination that requests may write at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// thisYear is the current year in Vietnam, as a report period.
func thisYear() string { return strconv.Itoa(time.Now().In(formsvc.Vietnam).Year()) }

// blockingStream is a store whose record streams wait until released:
// a search that holds its slot for as long as the test wants.
type blockingStream struct {
	console.Store
	entered chan struct{}
	release chan struct{}
}

func (b *blockingStream) EachSubmission(ctx context.Context, f formsvc.CaseFilter, fn func(*formsvc.Submission) error,
	skip func(*formsvc.Submission, error)) error {
	b.entered <- struct{}{}
	<-b.release
	return b.Store.EachSubmission(ctx, f, fn, skip)
}

// Searches by words run at most SearchSlots at once: one more, while the
// slots are taken, is told to try again in a few seconds (after a short
// wait), opens nothing and is not audited; once a slot is free, the next
// search runs.
func TestSearchesByWordsShareFewSlots(t *testing.T) {
	blocking := &blockingStream{entered: make(chan struct{}, 1), release: make(chan struct{})}
	a := newApp(t, func(c *console.Config) {
		c.SearchSlots = 1
		blocking.Store = c.Store
		c.Store = blocking
	})
	a.tip()
	b := a.loggedIn("congan")
	before := len(auditOf(a, formsvc.AuditSearch))
	done := make(chan int)
	go func() {
		res, _ := b.get("/officer/?q=" + url.QueryEscape("nha nghi"))
		done <- res.StatusCode
	}()
	<-blocking.entered // the first search holds the only slot
	res, doc := b.get("/officer/?q=" + url.QueryEscape("karaoke"))
	if res.StatusCode != 200 || !strings.Contains(doc.Find("#case-search-error").Text(), "nhiều lượt tìm") {
		t.Errorf("a second search while the slot is taken: %d %q", res.StatusCode, doc.Find("#case-search-error").Text())
	}
	if n := len(auditOf(a, formsvc.AuditSearch)); n != before+1 {
		t.Errorf("%d searches audited, want only the one that runs", n-before)
	}
	close(blocking.release)
	if code := <-done; code != 200 {
		t.Errorf("the first search: %d", code)
	}
	go func() { <-blocking.entered }()
	if res, doc := b.get("/officer/?q=" + url.QueryEscape("karaoke")); res.StatusCode != 200 || doc.Find("#case-search-error").Length() != 0 {
		t.Errorf("a search once the slot is free: %d %q", res.StatusCode, doc.Find("#case-search-error").Text())
	}
}
