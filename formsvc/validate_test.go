package formsvc_test

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// fixedNow is 28/11/2026 at 10:00 in Vietnam.
func fixedNow() time.Time { return time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC) }

func validTip() formsvc.Values {
	return formsvc.Values{
		"category":    {"karaoke"},
		"location":    {"Quán karaoke đầu thôn 3"},
		"description": {"Có người bị ép tiếp khách đến khuya."},
	}
}

func validSupport() formsvc.Values {
	return formsvc.Values{
		"services":       {"hiv", "job"},
		"contact_method": {"none"},
		"consent":        {"on"},
	}
}

func with(v formsvc.Values, k string, vals ...string) formsvc.Values {
	out := formsvc.Values{}
	for key, vs := range v {
		out[key] = vs
	}
	if vals == nil {
		delete(out, k)
	} else {
		out[k] = vals
	}
	return out
}

func TestValidateTip(t *testing.T) {
	s := spec(t)
	val := formsvc.NewValidator(fixedNow)
	tests := []struct {
		name  string
		in    formsvc.Values
		field string // the field that must have a message; "" means valid
		msg   string // part of the message
	}{
		{"valid", validTip(), "", ""},
		{"missing category", with(validTip(), "category"), "category", "Vui lòng chọn"},
		{"unknown category", with(validTip(), "category", "casino"), "category", "không có trong danh sách"},
		{"missing location", with(validTip(), "location"), "location", "Vui lòng nhập địa điểm"},
		{"blank location", with(validTip(), "location", "   \t "), "location", "Vui lòng nhập"},
		{"location at limit", with(validTip(), "location", strings.Repeat("ạ", 300)), "", ""},
		{"location over limit", with(validTip(), "location", strings.Repeat("ạ", 301)), "location", "300 ký tự"},
		{"decomposed text counts after NFC", with(validTip(), "location", strings.Repeat("a\u0323", 300)), "", ""},
		{"short description", with(validTip(), "description", "ngắn"), "description", "ít nhất 10"},
		{"description over limit", with(validTip(), "description", strings.Repeat("x", 4001)), "description", "4000"},
		{"invalid utf-8", with(validTip(), "description", "abc\xff\xfeabcdefgh"), "description", "không đọc được"},
		{"date today", with(validTip(), "observed_at", "2026-11-28"), "", ""},
		{"date in future", with(validTip(), "observed_at", "2026-11-29"), "observed_at", "tương lai"},
		{"date not a date", with(validTip(), "observed_at", "31/02/2026"), "observed_at", "ngày có thật"},
		{"date impossible", with(validTip(), "observed_at", "2026-02-31"), "observed_at", "ngày có thật"},
		{"date as people write it", with(validTip(), "observed_at", "15/11/2026"), "", ""},
		{"date with one digit and dashes", with(validTip(), "observed_at", "5-3-2026"), "", ""},
		{"date with dots and spaces", with(validTip(), "observed_at", "05 . 03 . 2026"), "", ""},
		{"date typed tomorrow", with(validTip(), "observed_at", "29/11/2026"), "observed_at", "tương lai"},
		{"date typed before 2000", with(validTip(), "observed_at", "31/12/1999"), "observed_at", "từ ngày 01/01/2000"},
		{"date month and day swapped", with(validTip(), "observed_at", "11/15/2026"), "observed_at", "ngày có thật"},
		{"date two-digit year", with(validTip(), "observed_at", "15/11/26"), "observed_at", "ngày có thật"},
		{"boolean yes", with(validTip(), "minors_involved", "on"), "", ""},
		{"boolean garbage", with(validTip(), "minors_involved", "maybe"), "minors_involved", "không hợp lệ"},
		{"contact too long", with(validTip(), "contact", strings.Repeat("1", 201)), "contact", "200"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := val.Validate(s.Tip, tt.in)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate() error = %v, want none", err)
				}
				if c.Text["category"] == "" {
					t.Errorf("clean values lack the category")
				}
				// A date is stored as YYYY-MM-DD however it was typed.
				if d := c.Text["observed_at"]; d != "" {
					if _, err := time.Parse("2006-01-02", d); err != nil {
						t.Errorf("stored date %q is not YYYY-MM-DD", d)
					}
				}
				return
			}
			var fe *formsvc.Error
			if !errors.As(err, &fe) || fe.Code != formsvc.EINVALID {
				t.Fatalf("Validate() error = %v, want EINVALID", err)
			}
			if got := fe.Fields[tt.field]; !strings.Contains(got, tt.msg) {
				t.Errorf("message for %s = %q, want it to contain %q (all: %v)", tt.field, got, tt.msg, fe.Fields)
			}
			if len(fe.Fields) != 1 {
				t.Errorf("messages = %v, want only %s", fe.Fields, tt.field)
			}
		})
	}
}

func TestValidateSupport(t *testing.T) {
	s := spec(t)
	val := formsvc.NewValidator(fixedNow)
	tests := []struct {
		name  string
		in    formsvc.Values
		field string
		msg   string
	}{
		{"valid", validSupport(), "", ""},
		{"no service", with(validSupport(), "services"), "services", "Vui lòng chọn"},
		{"unknown service", with(validSupport(), "services", "hiv", "loan"), "services", "không có trong danh sách"},
		{"no consent", with(validSupport(), "consent"), "consent", "đồng ý"},
		{"consent false", with(validSupport(), "consent", "false"), "consent", "đồng ý"},
		{"phone needs number", with(validSupport(), "contact_method", "phone"), "contact", "vì bạn đã chọn “Gọi điện thoại”"},
		{"zalo needs number", with(validSupport(), "contact_method", "zalo"), "contact", "Vui lòng nhập số điện thoại"},
		{"phone with number", with(with(validSupport(), "contact_method", "phone"), "contact", "0912 345 678"), "", ""},
		{"phone with +84", with(with(validSupport(), "contact_method", "zalo"), "contact", "+84 912 345 678"), "", ""},
		{"landline", with(with(validSupport(), "contact_method", "phone"), "contact", "0221 3123 456"), "", ""},
		{"not a phone", with(with(validSupport(), "contact_method", "phone"), "contact", "12345"), "contact", "Số điện thoại chưa đúng"},
		{"foreign number", with(with(validSupport(), "contact_method", "phone"), "contact", "+1 202 555 0101"), "contact", "Số điện thoại chưa đúng"},
		{"unknown method", with(validSupport(), "contact_method", "pigeon"), "contact_method", "không có trong danh sách"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := val.Validate(s.Support, tt.in)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate() error = %v, want none", err)
				}
				if len(c.Lists["services"]) == 0 || !c.Bools["consent"] {
					t.Errorf("clean = %+v, want services and consent", c)
				}
				return
			}
			var fe *formsvc.Error
			if !errors.As(err, &fe) {
				t.Fatalf("Validate() error = %v, want EINVALID", err)
			}
			if got := fe.Fields[tt.field]; !strings.Contains(got, tt.msg) {
				t.Errorf("message for %s = %q, want %q (all: %v)", tt.field, got, tt.msg, fe.Fields)
			}
		})
	}
}

func TestCleanText(t *testing.T) {
	tests := []struct {
		in        string
		multiline bool
		want      string
	}{
		{"  Hòa Phong  ", false, "Hòa Phong"},
		{"Ho\u0300a", false, "Hòa"}, // NFC
		{"a\x00b\x1bc", false, "a b c"},
		{"dòng 1\r\ndòng 2\x07", true, "dòng 1\ndòng 2"},
		{"a\u2028b", true, "ab"},
	}
	for _, tt := range tests {
		got, ok := formsvc.CleanText(tt.in, tt.multiline)
		if !ok || got != tt.want {
			t.Errorf("CleanText(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
	if _, ok := formsvc.CleanText("\xc3\x28", false); ok {
		t.Errorf("CleanText accepted invalid UTF-8")
	}
}

func TestNewSubmissionPriority(t *testing.T) {
	s := spec(t)
	val := formsvc.NewValidator(fixedNow)
	for _, flag := range []string{"", "minors_involved", "coercion_suspected"} {
		in := validTip()
		want := formsvc.PriorityNormal
		if flag != "" {
			in[flag] = []string{"true"}
			want = formsvc.PriorityHigh
		}
		c, err := val.Validate(s.Tip, in)
		if err != nil {
			t.Fatal(err)
		}
		sub := formsvc.NewSubmission(s.Kind(formsvc.KindTip), c, fixedNow())
		if sub.Priority != want || sub.Category != "karaoke" || sub.Status != formsvc.StatusReceived {
			t.Errorf("flag %q: submission = %+v, want priority %s", flag, sub, want)
		}
	}
}

func FuzzCleanText(f *testing.F) {
	for _, s := range []string{"", "Hòa Phong", "a\x00b", "\xff", "Ho\u0300a\r\n", "\u2028", "quán \u202eKO\u202c", "\ufeffthôn\u200b3"} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, multiline bool) {
		out, ok := formsvc.CleanText(s, multiline)
		if !ok {
			return
		}
		again, _ := formsvc.CleanText(out, multiline)
		if again != out {
			t.Errorf("CleanText is not idempotent: %q -> %q -> %q", s, out, again)
		}
		for _, r := range out {
			if r < 0x20 && !(multiline && (r == '\n' || r == '\t')) {
				t.Errorf("control character %U survived in %q", r, out)
			}
			if unicode.Is(unicode.Cf, r) {
				t.Errorf("invisible format character %U survived in %q", r, out)
			}
		}
	})
}

func FuzzValidateTip(f *testing.F) {
	f.Add("karaoke", "Thôn 3", "Mô tả đủ dài để hợp lệ", "2026-11-01", "on")
	f.Add("", "", "", "", "")
	f.Add("other", "\xff", "x", "2026-13-01", "maybe")
	s, err := formsvc.ParseSpec(mustForms())
	if err != nil {
		f.Fatal(err)
	}
	val := formsvc.NewValidator(fixedNow)
	f.Fuzz(func(t *testing.T, cat, loc, desc, date, minors string) {
		in := formsvc.Values{"category": {cat}, "location": {loc}, "description": {desc}, "observed_at": {date}, "minors_involved": {minors}}
		c, err := val.Validate(s.Tip, in)
		if err != nil {
			var fe *formsvc.Error
			if !errors.As(err, &fe) || len(fe.Fields) == 0 {
				t.Fatalf("error without field messages: %v", err)
			}
			for k, m := range fe.Fields {
				if m == "" || s.Tip.Field(k) == nil {
					t.Fatalf("bad field message %q: %q", k, m)
				}
			}
			return
		}
		if !s.Tip.Field("category").HasOption(c.Text["category"]) {
			t.Fatalf("accepted unknown category %q", c.Text["category"])
		}
	})
}

// checkValidated: a refusal names only the form's fields, each with a
// message; an acceptance keeps only the form's options.
func checkValidated(t *testing.T, f *formsvc.Form, c *formsvc.Clean, err error) {
	t.Helper()
	if err != nil {
		var fe *formsvc.Error
		if !errors.As(err, &fe) || len(fe.Fields) == 0 {
			t.Fatalf("error without field messages: %v", err)
		}
		for k, m := range fe.Fields {
			if m == "" || f.Field(k) == nil {
				t.Fatalf("bad field message %q: %q", k, m)
			}
		}
		return
	}
	for name, list := range c.Lists {
		for _, v := range list {
			if !f.Field(name).HasOption(v) {
				t.Fatalf("accepted unknown %s %q", name, v)
			}
		}
	}
}

func FuzzValidateSupport(f *testing.F) {
	f.Add("health legal_aid", "Tôi cần người giúp", "phone", "0912345678", "buổi tối", "on")
	f.Add("", "", "", "", "", "")
	f.Add("health health nope", "\xff", "zalo", "+84 912 345 678", "\u2028", "true")
	s, err := formsvc.ParseSpec(mustForms())
	if err != nil {
		f.Fatal(err)
	}
	val := formsvc.NewValidator(fixedNow)
	f.Fuzz(func(t *testing.T, services, message, method, contact, when, consent string) {
		in := formsvc.Values{"services": strings.Fields(services), "message": {message}, "contact_method": {method},
			"contact": {contact}, "preferred_time": {when}, "consent": {consent}}
		c, err := val.Validate(s.Support, in)
		checkValidated(t, s.Support, c, err)
	})
}

func FuzzValidateFollowUpMessage(f *testing.F) {
	f.Add("1234-5678-9012-3456", "Tôi nhớ thêm: có xe biển số lạ.")
	f.Add("", "")
	f.Add("12345678901234567", "\x00")
	s, err := formsvc.ParseSpec(mustForms())
	if err != nil {
		f.Fatal(err)
	}
	val := formsvc.NewValidator(fixedNow)
	f.Fuzz(func(t *testing.T, receipt, message string) {
		c, err := val.Validate(s.FollowUpMessage, formsvc.Values{"receipt": {receipt}, "message": {message}})
		checkValidated(t, s.FollowUpMessage, c, err)
	})
}
