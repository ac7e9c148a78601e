package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/internal/specs"
)

// sendTip posts a valid tip as JSON and returns its receipt.
func (e *env) sendTip() string {
	e.t.Helper()
	ct, body := encodings[2].encode(e.t, validTip(), nil)
	res := e.post("/api/v1/tips", ct, body)
	if res.StatusCode != http.StatusCreated {
		e.t.Fatalf("send tip: %d", res.StatusCode)
	}
	return decodeJSON(e.t, res)["receipt"].(string)
}

func (e *env) postJSON(path string, v any, headers ...string) *http.Response {
	e.t.Helper()
	b, _ := json.Marshal(v)
	return e.post(path, "application/json", strings.NewReader(string(b)), headers...)
}

func TestFollowUpShowsStatusAndThread(t *testing.T) {
	e := newEnv(t)
	receipt := e.sendTip()
	// An officer reply, as the officer side stores it.
	r, _ := formsvc.ParseReceipt(receipt)
	sub, err := e.db.SubmissionByReceipt(context.Background(), formsvc.NewReceiptHasher(e.keys.Receipt).Hash(r))
	if err != nil {
		t.Fatal(err)
	}
	reply := &formsvc.Message{Author: formsvc.AuthorOfficer, OfficerID: 1, Body: "Cảm ơn bạn, chúng tôi đang xác minh.",
		CreatedAt: time.Date(2026, 11, 28, 4, 0, 0, 0, time.UTC)}
	if err := e.db.AddMessage(context.Background(), sub, reply); err != nil {
		t.Fatal(err)
	}

	// The reporter adds detail, with the receipt typed with spaces.
	res := e.postJSON("/api/v1/follow-up/messages", map[string]string{
		"receipt": strings.ReplaceAll(receipt, "-", " "), "message": "Tối qua lại thấy xe chở người đến."})
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("add message: Status = %d, want 201", res.StatusCode)
	}
	// The same message again (a reload, a double click): same answer,
	// stored once (the thread below holds it once).
	again := e.post("/api/v1/follow-up/messages", "application/x-www-form-urlencoded",
		strings.NewReader("receipt="+receipt+"&message="+url.QueryEscape("Tối qua lại thấy xe chở người đến.")))
	if again.StatusCode != http.StatusCreated {
		t.Fatalf("the same message again: Status = %d, want 201", again.StatusCode)
	}

	res = e.postJSON("/api/v1/follow-up", map[string]string{"receipt": receipt})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("follow-up: Status = %d, want 200", res.StatusCode)
	}
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q", cc)
	}
	var fu struct {
		Kind        string `json:"kind"`
		Status      string `json:"status"`
		StatusLabel string `json:"status_label"`
		Messages    []struct {
			From string `json:"from"`
			Body string `json:"body"`
			At   string `json:"at"`
		} `json:"messages"`
	}
	if err := json.NewDecoder(res.Body).Decode(&fu); err != nil {
		t.Fatal(err)
	}
	if fu.Kind != "tip" || fu.Status != "received" || fu.StatusLabel != specs.Kind(t, formsvc.KindTip).PublicLabel("received") {
		t.Errorf("follow-up = %+v", fu)
	}
	if len(fu.Messages) != 2 || fu.Messages[0].From != "officer" || fu.Messages[1].From != "you" ||
		fu.Messages[1].Body != "Tối qua lại thấy xe chở người đến." || !strings.HasSuffix(fu.Messages[0].At, "+07:00") {
		t.Errorf("messages = %+v", fu.Messages)
	}
}

func TestFollowUpRefusals(t *testing.T) {
	e := newEnv(t)
	e.sendTip()
	tests := []struct {
		name, path string
		body       map[string]string
		status     int
		field      string
	}{
		{"no receipt", "/api/v1/follow-up", map[string]string{}, 422, "receipt"},
		{"not 16 digits", "/api/v1/follow-up", map[string]string{"receipt": "1234-5678"}, 422, "receipt"},
		{"unknown receipt", "/api/v1/follow-up", map[string]string{"receipt": "0000-0000-0000-0001"}, 404, "receipt"},
		{"message to unknown receipt", "/api/v1/follow-up/messages", map[string]string{"receipt": "0000-0000-0000-0001", "message": "x"}, 404, "receipt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := e.postJSON(tt.path, tt.body)
			if res.StatusCode != tt.status {
				t.Fatalf("Status = %d, want %d", res.StatusCode, tt.status)
			}
			fields, _ := decodeJSON(t, res)["fields"].(map[string]any)
			if msg, _ := fields[tt.field].(string); msg == "" {
				t.Errorf("no message for %s", tt.field)
			}
		})
	}
	receipt := e.sendTip()
	res := e.postJSON("/api/v1/follow-up/messages", map[string]string{"receipt": receipt, "message": "  "})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("empty message: Status = %d, want 422", res.StatusCode)
	}
	res = e.postJSON("/api/v1/follow-up/messages", map[string]string{"receipt": receipt, "message": strings.Repeat("x", 4001)})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("long message: Status = %d, want 422", res.StatusCode)
	}
}

func TestFollowUpPagesWithoutJavaScript(t *testing.T) {
	e := newEnv(t)
	receipt := e.sendTip()
	form := func(v url.Values) *http.Response {
		return e.post("/api/v1/follow-up", "application/x-www-form-urlencoded", strings.NewReader(v.Encode()))
	}
	doc := document(t, form(url.Values{"receipt": {receipt}}))
	res := doc.Find("[data-follow-up-result]")
	if _, hidden := res.Attr("hidden"); hidden {
		t.Fatal("the result is hidden")
	}
	if got := res.Find("[data-fu-status]").Text(); got != specs.Kind(t, formsvc.KindTip).PublicLabel("received") {
		t.Errorf("status shown = %q", got)
	}
	if v := res.Find(`form[action="/api/v1/follow-up/messages"] input[name="receipt"]`).AttrOr("value", ""); v != receipt {
		t.Errorf("the message form's receipt = %q, want it filled", v)
	}

	// Add a message as a plain form: the page shows it and a notice.
	msg := e.post("/api/v1/follow-up/messages", "application/x-www-form-urlencoded",
		strings.NewReader(url.Values{"receipt": {receipt}, "message": {"Thêm: có hai xe máy biển số lạ."}}.Encode()))
	if msg.StatusCode != http.StatusCreated {
		t.Fatalf("Status = %d, want 201", msg.StatusCode)
	}
	doc = document(t, msg)
	if _, hidden := doc.Find("[data-fu-notice]").Attr("hidden"); hidden {
		t.Errorf("no notice that the message was sent")
	}
	if got := doc.Find("[data-fu-messages] [data-fu-body]").Text(); got != "Thêm: có hai xe máy biển số lạ." {
		t.Errorf("thread shows %q", got)
	}

	// A wrong receipt: the lookup form shows the error and keeps the input.
	bad := form(url.Values{"receipt": {"1111-2222-3333-4444"}})
	if bad.StatusCode != http.StatusNotFound {
		t.Fatalf("Status = %d, want 404", bad.StatusCode)
	}
	doc = document(t, bad)
	lookup := doc.Find(`form[action="/api/v1/follow-up"]`)
	if !strings.Contains(lookup.Find(`[data-field="receipt"] [data-error-text]`).Text(), "Không tìm thấy") {
		t.Errorf("no message beside the receipt")
	}
	if _, hidden := doc.Find("[data-follow-up-result]").Attr("hidden"); !hidden {
		t.Errorf("a result is shown for a wrong receipt")
	}

	// An empty message after a good lookup: the thread page with the error.
	empty := e.post("/api/v1/follow-up/messages", "application/x-www-form-urlencoded",
		strings.NewReader(url.Values{"receipt": {receipt}, "message": {""}}.Encode()))
	if empty.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("Status = %d, want 422", empty.StatusCode)
	}
	doc = document(t, empty)
	mform := doc.Find(`form[action="/api/v1/follow-up/messages"]`)
	if !strings.Contains(mform.Find(`[data-field="message"] [data-error-text]`).Text(), "Vui lòng nhập") {
		t.Errorf("no message beside the empty message field")
	}
	if _, hidden := doc.Find("[data-follow-up-result]").Attr("hidden"); hidden {
		t.Errorf("the thread is hidden")
	}
}
