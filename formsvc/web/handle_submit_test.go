package web_test

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/phototest"
	"github.com/hoaphong/phongchongmaidam/formsvc/web"
)

var receiptRe = regexp.MustCompile(`^\d{4}-\d{4}-\d{4}-\d{4}$`)

func TestSubmitAcceptsEveryBodyType(t *testing.T) {
	for _, enc := range encodings {
		for _, form := range []struct {
			path string
			kind formsvc.Kind
			in   formsvc.Values
		}{
			{"/api/v1/tips", formsvc.KindTip, validTip()},
			{"/api/v1/support-requests", formsvc.KindSupport, validSupport()},
		} {
			t.Run(enc.name+form.path, func(t *testing.T) {
				e := newEnv(t)
				ct, body := enc.encode(t, form.in, nil)
				res := e.post(form.path, ct, body, "Accept", "application/json")
				if res.StatusCode != http.StatusCreated {
					t.Fatalf("Status = %d, want 201", res.StatusCode)
				}
				if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
					t.Errorf("Cache-Control = %q, want no-store", cc)
				}
				m := decodeJSON(t, res)
				receipt, _ := m["receipt"].(string)
				if !receiptRe.MatchString(receipt) || m["status"] != "received" {
					t.Fatalf("answer = %v, want a receipt and status received", m)
				}
				// The receipt finds the record through its keyed hash.
				r, _ := formsvc.ParseReceipt(receipt)
				got, err := e.db.SubmissionByReceipt(context.Background(), formsvc.NewReceiptHasher(e.keys.Receipt).Hash(r))
				if err != nil {
					t.Fatal(err)
				}
				if got.Kind != form.kind {
					t.Errorf("Kind = %s, want %s", got.Kind, form.kind)
				}
				switch form.kind {
				case formsvc.KindTip:
					if got.Category != "massage" || got.Priority != formsvc.PriorityHigh ||
						got.Content.Text["location"] != "Tiệm xoa bóp cạnh chợ, thôn 2" {
						t.Errorf("stored %+v", got)
					}
				case formsvc.KindSupport:
					if strings.Join(got.Services, ",") != "hiv,legal_aid" || got.Content.Text["contact"] != "0912345678" ||
						got.Content.PrivacyVersion != e.spec.PrivacyVersion {
						t.Errorf("stored %+v", got)
					}
				}
			})
		}
	}
}

func TestSubmitRefusesInvalidFieldsWith422(t *testing.T) {
	for _, enc := range encodings {
		t.Run(enc.name, func(t *testing.T) {
			e := newEnv(t)
			in := validTip()
			delete(in, "location")
			in["category"] = []string{"casino"}
			in["observed_at"] = []string{"2030-01-01"}
			ct, body := enc.encode(t, in, nil)
			res := e.post("/api/v1/tips", ct, body, "Accept", "application/json")
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("Status = %d, want 422", res.StatusCode)
			}
			m := decodeJSON(t, res)
			fields, _ := m["fields"].(map[string]any)
			if m["error"] != "validation" || len(fields) != 3 {
				t.Fatalf("answer = %v, want error validation with 3 fields", m)
			}
			for _, f := range []string{"location", "category", "observed_at"} {
				if msg, _ := fields[f].(string); msg == "" {
					t.Errorf("no Vietnamese message for %s", f)
				}
			}
			if n := e.count(); n != 0 {
				t.Errorf("stored %d rows after a refusal", n)
			}
		})
	}
}

func TestSubmitStatusCodes(t *testing.T) {
	big := strings.Repeat("a", 200<<10)
	tests := []struct {
		name        string
		contentType string
		body        string
		want        int
		code        string
	}{
		{"malformed json", "application/json", `{"category": "karaoke",`, 400, "malformed"},
		{"json not an object", "application/json", `["karaoke"]`, 400, "malformed"},
		{"json nested object", "application/json", `{"category": {"a": 1}}`, 400, "malformed"},
		{"json trailing data", "application/json", `{"category": "karaoke"} {}`, 400, "malformed"},
		{"bad urlencoding", "application/x-www-form-urlencoded", "category=%zz", 400, "malformed"},
		{"multipart without boundary", "multipart/form-data", "--x\r\n", 400, "malformed"},
		{"broken multipart", "multipart/form-data; boundary=xyz", "--xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb", 400, "malformed"},
		{"too large urlencoded", "application/x-www-form-urlencoded", "description=" + big, 413, "too_large"},
		{"too large json", "application/json", `{"description":"` + big + `"}`, 413, "too_large"},
		{"plain text", "text/plain", "hello", 415, "unsupported"},
		{"no content type", "", "hello", 415, "unsupported"},
		{"xml", "application/xml", "<a/>", 415, "unsupported"},
	}
	e := newEnv(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := e.post("/api/v1/tips", tt.contentType, strings.NewReader(tt.body), "Accept", "application/json")
			if res.StatusCode != tt.want {
				t.Fatalf("Status = %d, want %d", res.StatusCode, tt.want)
			}
			m := decodeJSON(t, res)
			if m["error"] != tt.code || m["message"] == "" {
				t.Errorf("answer = %v, want error %q with a message", m, tt.code)
			}
		})
	}
	if n := e.count(); n != 0 {
		t.Errorf("stored %d rows after refusals", n)
	}
}

func TestSubmitTooLargeWithoutReadingTheBody(t *testing.T) {
	e := newEnv(t)
	// A declared length past the limit is refused before any byte is read.
	req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/tips", strings.NewReader("x"))
	req.Header.Set("Content-Type", "multipart/form-data; boundary=b")
	req.Header.Set("Accept", "application/json")
	req.ContentLength = 100 << 20
	res, err := http.DefaultClient.Do(req)
	if err == nil {
		defer res.Body.Close()
		if res.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("Status = %d, want 413", res.StatusCode)
		}
	}
	// (The client may also see the connection closed mid-body: both refuse.)
	if n := e.count(); n != 0 {
		t.Errorf("stored %d rows", n)
	}
}

func TestHoneypotGetsANormalAnswerAndStoresNothing(t *testing.T) {
	for _, enc := range encodings {
		t.Run(enc.name, func(t *testing.T) {
			e := newEnv(t)
			in := validTip()
			in["website"] = []string{"http://spam.example"}
			ct, body := enc.encode(t, in, nil)
			res := e.post("/api/v1/tips", ct, body, "Accept", "application/json")
			if res.StatusCode != http.StatusCreated {
				t.Fatalf("Status = %d, want 201", res.StatusCode)
			}
			if m := decodeJSON(t, res); !receiptRe.MatchString(m["receipt"].(string)) {
				t.Errorf("answer = %v, want a normal-looking receipt", m)
			}
			if n := e.count(); n != 0 {
				t.Errorf("stored %d rows for a bot", n)
			}
		})
	}
}

func TestPhotosAreCleanedAndStored(t *testing.T) {
	e := newEnv(t)
	ct, body := encodings[1].encode(t, validTip(), map[string][]byte{
		"IMG_0001.jpg": phototest.JPEGWithGPS(t, 64, 48, 1),
		"anh.png":      phototest.JPEGWithGPS(t, 16, 16, 1), // a JPEG named .png: judged by content
	})
	res := e.post("/api/v1/tips", ct, body, "Accept", "application/json")
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("Status = %d, want 201", res.StatusCode)
	}
	receipt, _ := formsvc.ParseReceipt(decodeJSON(t, res)["receipt"].(string))
	s, err := e.db.SubmissionByReceipt(context.Background(), formsvc.NewReceiptHasher(e.keys.Receipt).Hash(receipt))
	if err != nil {
		t.Fatal(err)
	}
	photos, err := e.db.Photos(context.Background(), s)
	if err != nil || len(photos) != 2 {
		t.Fatalf("photos = %d, %v; want 2", len(photos), err)
	}
	for _, p := range photos {
		if p.ContentType != "image/jpeg" || bytes.Contains(p.Data, phototest.GPSLatitudeBytes) || bytes.Contains(p.Data, []byte("Exif")) {
			t.Errorf("photo %s keeps its metadata", p.ContentType)
		}
	}
}

func TestPhotoRulesGiveFieldMessages(t *testing.T) {
	jpg := phototest.JPEGWithGPS(t, 8, 8, 1)
	tests := []struct {
		name  string
		files map[string][]byte
		msg   string
	}{
		{"not an image", map[string][]byte{"a.jpg": []byte("<html>not a photo</html>")}, "không phải ảnh"},
		{"too many", map[string][]byte{"1.jpg": jpg, "2.jpg": jpg, "3.jpg": jpg, "4.jpg": jpg}, "tối đa 3 ảnh"},
		{"too big", map[string][]byte{"big.jpg": append(append([]byte{}, jpg...), make([]byte, 5<<20)...)}, "lớn hơn 5 MB"},
		{"photo bomb", map[string][]byte{"bom.jpg": phototest.ProgressiveJPEG(7000, 7000, 3)}, "Tệp “bom.jpg”: Ảnh quá lớn để xử lý: 7000×7000 điểm ảnh"},
		{"truncated header", map[string][]byte{"cut.jpg": phototest.TruncatedJPEG(4000, 3000)}, "không phải ảnh"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			ct, body := encodings[1].encode(t, validTip(), tt.files)
			res := e.post("/api/v1/tips", ct, body, "Accept", "application/json")
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("Status = %d, want 422", res.StatusCode)
			}
			fields, _ := decodeJSON(t, res)["fields"].(map[string]any)
			if msg, _ := fields["attachments"].(string); !strings.Contains(msg, tt.msg) {
				t.Errorf("attachments message = %q, want %q", msg, tt.msg)
			}
			if n := e.count(); n != 0 {
				t.Errorf("stored %d rows", n)
			}
		})
	}
}

// While the photo decoder's budget is taken, a tip with a photo waits its
// turn, then gets 503 with a message to send again later, and nothing is
// stored; once the budget is back, the same tip goes through.
func TestBusyPhotoDecoderAnswers503(t *testing.T) {
	photos := formsvc.NewPhotoCleaner(64<<20, 50*time.Millisecond)
	e := newEnvWith(t, func(c *web.Config) { c.Photos = photos })
	release, err := photos.Reserve(t.Context(), 64<<20)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"IMG_0001.jpg": phototest.JPEGWithGPS(t, 64, 48, 6)}

	ct, body := encodings[1].encode(t, validTip(), files)
	res := e.post("/api/v1/tips", ct, body, "Accept", "application/json")
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" {
		t.Fatalf("Status = %d, Retry-After %q; want 503 with Retry-After", res.StatusCode, res.Header.Get("Retry-After"))
	}
	if m := decodeJSON(t, res); m["error"] != formsvc.EUNAVAILABLE || m["message"] != formsvc.MsgPhotoBusy {
		t.Errorf("503 answer = %v, want error %q and MsgPhotoBusy", m, formsvc.EUNAVAILABLE)
	}
	// A plain form post gets the site's error page with the message.
	ct, body = encodings[1].encode(t, validTip(), files)
	res = e.post("/api/v1/tips", ct, body, "Accept", "text/html")
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("plain post: Status = %d, want 503", res.StatusCode)
	}
	if msg := document(t, res).Find("main").Text(); !strings.Contains(msg, "Hệ thống đang bận xử lý ảnh") {
		t.Errorf("plain post: page does not say the service is busy with photos: %q", msg)
	}
	if n := e.count(); n != 0 {
		t.Errorf("stored %d rows while busy", n)
	}

	release()
	ct, body = encodings[1].encode(t, validTip(), files)
	if res := e.post("/api/v1/tips", ct, body, "Accept", "application/json"); res.StatusCode != http.StatusCreated {
		t.Fatalf("after the budget came back: Status = %d, want 201", res.StatusCode)
	}
	if n := e.count(); n != 2 {
		t.Errorf("stored %d rows, want the tip and its photo", n)
	}
}

func TestPlainFormPostGetsPages(t *testing.T) {
	e := newEnv(t)
	t.Run("confirmation", func(t *testing.T) {
		ct, body := encodings[0].encode(t, validTip(), nil)
		res := e.post("/api/v1/tips", ct, body, "Accept", "text/html")
		page := e.receiptPage(res)
		if page.StatusCode != http.StatusOK || page.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("receipt page: Status = %d, Cache-Control %q", page.StatusCode, page.Header.Get("Cache-Control"))
		}
		doc := document(t, page)
		r := strings.TrimSpace(doc.Find("[data-receipt]").Text())
		if !receiptRe.MatchString(r) {
			t.Errorf("receipt on the page = %q", r)
		}
		if strings.Contains(res.Header.Get("Location"), strings.ReplaceAll(r, "-", "")) || strings.Contains(res.Header.Get("Location"), r) {
			t.Errorf("the receipt is in the address %s", res.Header.Get("Location"))
		}
		if doc.Find("header.site-header").Length() != 1 || doc.Find("[data-exit]").Length() != 1 {
			t.Errorf("the confirmation is not in the site's look")
		}
		// The page as built hides the receipt block behind a note; filled,
		// the block shows and the note is gone.
		if _, hidden := doc.Find("[data-receipt-block]").Attr("hidden"); hidden || doc.Find("[data-receipt-block]").Length() != 1 {
			t.Errorf("the receipt block is missing or still hidden")
		}
		if doc.Find("[data-receipt-missing]").Length() != 0 {
			t.Errorf("the note for a page opened directly is still there")
		}
		if doc.Find("[data-receipt-block] [data-receipt]").Length() != 1 || !strings.Contains(doc.Find("[data-receipt-block]").Text(), "Ctrl+P") {
			t.Errorf("the receipt block lacks the receipt or the print hint")
		}
		// Reloading shows no receipt and stores nothing more.
		again, err := noRedirects.Get(e.srv.URL + res.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		defer again.Body.Close()
		if again.StatusCode != http.StatusGone {
			t.Errorf("the receipt page again: Status = %d, want 410", again.StatusCode)
		}
		if msg := document(t, again).Find("[data-error-message]").Text(); !strings.Contains(msg, "chỉ hiện một lần") || strings.Contains(msg, r) {
			t.Errorf("the receipt page again says %q", msg)
		}
		if n := e.count(); n != 1 {
			t.Errorf("stored %d, want 1", n)
		}
	})
	t.Run("errors with answers kept", func(t *testing.T) {
		in := validTip()
		in["description"] = []string{"ngắn"}
		in["category"] = []string{""}
		in["location"] = []string{`Quán "Hoa" <b>số 5</b>`}
		ct, body := encodings[1].encode(t, in, nil)
		res := e.post("/api/v1/tips", ct, body)
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("Status = %d, want 422", res.StatusCode)
		}
		doc := document(t, res)
		if title := doc.Find("title").Text(); !strings.HasPrefix(title, "Lỗi: ") {
			t.Errorf("title = %q, want it to start with Lỗi: ", title)
		}
		summary := doc.Find("[data-error-summary]")
		if _, hidden := summary.Attr("hidden"); hidden || summary.Find("li a").Length() != 2 {
			t.Errorf("error summary hidden=%v with %d links, want 2 visible", hidden, summary.Find("li a").Length())
		}
		if href, _ := summary.Find("li a").First().Attr("href"); href != "#tip-category" {
			t.Errorf("first summary link = %q, want #tip-category (page order)", href)
		}
		if _, ok := summary.Attr("autofocus"); !ok {
			t.Errorf("the summary does not take focus")
		}
		desc := doc.Find(`[data-field="description"]`)
		if !desc.HasClass("field--error") || !strings.Contains(desc.Find("[data-error-text]").Text(), "ít nhất 10") {
			t.Errorf("description has no message beside it")
		}
		if v, _ := desc.Find("textarea").Attr("aria-invalid"); v != "true" {
			t.Errorf("textarea aria-invalid = %q", v)
		}
		if got := desc.Find("textarea").Text(); got != "ngắn" {
			t.Errorf("textarea kept %q", got)
		}
		if v, _ := doc.Find(`input[name="location"]`).Attr("value"); v != `Quán "Hoa" <b>số 5</b>` {
			t.Errorf("location kept %q", v)
		}
		if doc.Find(`input[name="location"] b`).Length() != 0 {
			t.Errorf("a person's input became markup")
		}
		if _, ok := doc.Find(`input[name="minors_involved"]`).Attr("checked"); !ok {
			t.Errorf("the ticked box was not kept")
		}
		if v, _ := doc.Find(`input[name="observed_at"]`).Attr("value"); v != "2026-11-20" {
			t.Errorf("date kept %q", v)
		}
	})
	t.Run("error page", func(t *testing.T) {
		res := e.post("/api/v1/tips", "text/plain", strings.NewReader("x"))
		if res.StatusCode != http.StatusUnsupportedMediaType {
			t.Fatalf("Status = %d, want 415", res.StatusCode)
		}
		doc := document(t, res)
		if msg := doc.Find("[data-error-message]").Text(); msg != formsvc.MsgUnsupported {
			t.Errorf("message = %q", msg)
		}
		if href, _ := doc.Find("[data-back]").Attr("href"); href != "/gui-tin-bao/" {
			t.Errorf("back link = %q, want the form", href)
		}
	})
}

func TestLogsCarryNoSubmissionTextReceiptOrClient(t *testing.T) {
	e := newEnv(t)
	in := validTip()
	in["description"] = []string{"MARKER-LOG-mo-ta-9931 đủ dài"}
	in["contact"] = []string{"MARKER-LOG-lien-lac-1177"}
	ct, body := encodings[2].encode(t, in, nil)
	res := e.post("/api/v1/tips", ct, body, "User-Agent", "MARKER-UA-5521", "Referer", "http://MARKER-REF.example/",
		"X-Forwarded-For", "203.0.113.77")
	receipt := decodeJSON(t, res)["receipt"].(string)
	logs := e.logs.String()
	if !strings.Contains(logs, "đã nhận bài gửi") {
		t.Fatalf("the log has no line for the submission: %s", logs)
	}
	r, _ := formsvc.ParseReceipt(receipt)
	for _, m := range []string{"MARKER-LOG", "MARKER-UA", "MARKER-REF", "203.0.113.77", "127.0.0.1", receipt, string(r)} {
		if strings.Contains(logs, m) {
			t.Errorf("logs contain %q:\n%s", m, logs)
		}
	}
}
