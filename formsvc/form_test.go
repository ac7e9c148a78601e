package formsvc_test

import (
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
	base := `version: 1
tip: {action: /a, fields: [%s]}
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
