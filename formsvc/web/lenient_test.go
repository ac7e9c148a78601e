package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hoaphong/phongchongmaidam/data"
	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// TestLenientInputIsRefused: bodies a browser never sends are refused
// with a clear Vietnamese message, and nothing is stored.
func TestLenientInputIsRefused(t *testing.T) {
	e := newEnv(t)
	tipJSON := `"category": "massage", "location": "Chợ thôn 2", "description": "Có người bị ép làm việc ban đêm ở đây."`
	cases := []struct {
		name, ct, body string
		status         int
		msg            string
	}{
		{"invalid UTF-8 in JSON", "application/json", "{" + tipJSON + `, "contact": "` + "\xff\xfe" + `"}`, 400, "không phải UTF-8"},
		{"invalid UTF-8 urlencoded", "application/x-www-form-urlencoded", "category=massage&location=ch%FF&description=" + strings.Repeat("a", 30), 400, "không phải UTF-8"},
		{"Latin-1 charset", "application/json; charset=iso-8859-1", "{" + tipJSON + "}", 415, "UTF-8"},
		{"honeypot as an array", "application/json", "{" + tipJSON + `, "website": ["", "spam"]}`, 400, "một giá trị"},
		{"a field twice in JSON", "application/json", "{" + tipJSON + `, "website": "", "website": "x"}`, 400, "nhiều lần"},
		{"a field twice urlencoded", "application/x-www-form-urlencoded", "category=massage&category=karaoke&location=Ch%E1%BB%A3&description=" + strings.Repeat("a", 30), 400, "nhiều lần"},
		{"year 1", "application/json", "{" + tipJSON + `, "observed_at": "0001-01-01"}`, 422, "từ ngày 01/01/2000"},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			res := e.post("/api/v1/tips", tt.ct, strings.NewReader(tt.body), "Accept", "application/json")
			m := decodeJSON(t, res)
			text := m["message"].(string)
			if f, ok := m["fields"].(map[string]any); ok {
				for _, v := range f {
					text += " " + v.(string)
				}
			}
			if res.StatusCode != tt.status || !strings.Contains(text, tt.msg) {
				t.Errorf("Status = %d, message %q; want %d with %q", res.StatusCode, text, tt.status, tt.msg)
			}
		})
	}
	if n := e.count(); n != 0 {
		t.Errorf("stored %d records from refused bodies", n)
	}
	// The services list of a support request is still a list.
	res := e.postJSON("/api/v1/support-requests", map[string]any{"services": []string{"job", "hiv"}, "contact_method": "none", "consent": true})
	if res.StatusCode != http.StatusCreated {
		t.Errorf("a list where the form takes one: Status = %d, want 201", res.StatusCode)
	}
}

// TestOptionCodesAreChecked: a code with a space or a comma would change
// the validation rule built from it; the spec refuses it by name.
func TestOptionCodesAreChecked(t *testing.T) {
	for _, code := range []string{"quan karaoke", "a,b", "Karaoke", "cà_phê"} {
		yaml := strings.Replace(string(data.FormsYAML), "value: karaoke", "value: \""+code+"\"", 1)
		_, err := formsvc.ParseSpec([]byte(yaml))
		if err == nil || !strings.Contains(err.Error(), "forms.yaml") || !strings.Contains(err.Error(), `"category"`) || !strings.Contains(err.Error(), code) {
			t.Errorf("code %q: err = %v, want one naming forms.yaml, the field and the code", code, err)
		}
	}
}
