package formsvc_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hoaphong/phongchongmaidam/data"
	"github.com/hoaphong/phongchongmaidam/formsvc"
)

func spec(t testing.TB) *formsvc.Spec {
	t.Helper()
	s, err := formsvc.ParseSpec(data.FormsYAML)
	if err != nil {
		t.Fatalf("ParseSpec(data/forms.yaml): %v", err)
	}
	return s
}

func TestSpecHasTheContractsCodes(t *testing.T) {
	s := spec(t)
	// DESIGN.md names these codes "at least"; outside clients rely on them.
	want := map[string][]string{
		"category": {"karaoke", "massage", "lodging", "cafe_bar", "online", "street", "other"},
		"services": {"health", "hiv", "legal_aid", "vocational_training", "job", "counselling", "shelter", "reintegration", "other"},
	}
	for name, codes := range want {
		fd := s.Tip.Field(name)
		if fd == nil {
			fd = s.Support.Field(name)
		}
		if fd == nil {
			t.Fatalf("field %q missing", name)
		}
		for _, c := range codes {
			if !fd.HasOption(c) {
				t.Errorf("field %q lacks code %q", name, c)
			}
		}
	}
	for _, name := range []string{"category", "location", "description", "observed_at", "minors_involved", "coercion_suspected", "contact", "attachments", "website"} {
		if s.Tip.Field(name) == nil {
			t.Errorf("tip form lacks field %q", name)
		}
	}
	for _, name := range []string{"services", "message", "contact_method", "contact", "preferred_time", "consent", "website"} {
		if s.Support.Field(name) == nil {
			t.Errorf("support form lacks field %q", name)
		}
	}
}

func TestParseSpecRefusesIncoherentForms(t *testing.T) {
	base := `tip: {action: /a, fields: [%s]}
support: {action: /b, fields: []}
follow_up: {action: /c, fields: []}
follow_up_message: {action: /d, fields: []}
`
	tests := []struct{ name, fields, want string }{
		{"unknown type", `{name: a, noun: a, type: slider}`, "unknown type"},
		{"select without options", `{name: a, noun: a, type: select}`, "needs options"},
		{"repeated name", `{name: a, noun: a, type: text}, {name: a, noun: a, type: text}`, "repeated"},
		{"min above max", `{name: a, noun: a, type: text, min: 5, max: 2}`, "min/max"},
		{"no noun", `{name: a, type: text}`, "noun"},
		{"file without limits", `{name: a, noun: a, type: file}`, "max_files"},
		{"unknown key", `{name: a, noun: a, type: text, maxlen: 3}`, "maxlen"},
		{"required_for unknown value", `{name: a, noun: a, type: tel, required_for: [fax]}`, "fax"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := formsvc.ParseSpec([]byte(strings.Replace(base, "%s", tt.fields, 1)))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseSpec error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestRule(t *testing.T) {
	s := spec(t)
	tests := []struct {
		form *formsvc.Form
		name string
		want string
	}{
		{s.Tip, "category", "required,oneof=karaoke massage lodging cafe_bar online street other"},
		{s.Tip, "location", "required,max=300"},
		{s.Tip, "description", "required,min=10,max=4000"},
		{s.Tip, "observed_at", "omitempty,datetime=2006-01-02,notfuture"},
		{s.Tip, "minors_involved", "omitempty"},
		{s.Support, "services", "required,dive,oneof=health hiv legal_aid vocational_training job counselling shelter reintegration other"},
		{s.Support, "contact", "omitempty,vnphone,max=20"},
		{s.Support, "consent", "required"},
	}
	for _, tt := range tests {
		if got := tt.form.Field(tt.name).Rule(); got != tt.want {
			t.Errorf("Rule(%s) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestTooLargeMessageSaysTheFormsLimits: the 413 message gives the photo
// limits of data/forms.yaml, written the way people read sizes, and a form
// without photos gets the plain message.
func TestTooLargeMessageSaysTheFormsLimits(t *testing.T) {
	s, err := formsvc.ParseSpec(mustForms())
	if err != nil {
		t.Fatal(err)
	}
	ff := s.Tip.FileField()
	want := fmt.Sprintf("tối đa %d ảnh, mỗi ảnh không quá", ff.MaxFiles)
	if got := s.Tip.TooLargeMessage(); !strings.HasPrefix(got, formsvc.MsgTooLarge) || !strings.Contains(got, want) {
		t.Errorf("tip form: %q, want it to say %q", got, want)
	}
	if got := s.Support.TooLargeMessage(); got != formsvc.MsgTooLarge {
		t.Errorf("support form: %q, want %q", got, formsvc.MsgTooLarge)
	}
	for n, want := range map[int64]string{5 << 20: "5 MB", 3 << 19: "1,5 MB", 10 << 20: "10 MB"} {
		ff.MaxFileBytes = n
		if got := s.Tip.TooLargeMessage(); !strings.HasSuffix(got, "không quá "+want+".") {
			t.Errorf("%d bytes: %q, want it to end in %q", n, got, want)
		}
	}
}
