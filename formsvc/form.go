package formsvc

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/hoaphong/phongchongmaidam/data"
)

// Field types of data/forms.yaml.
const (
	FieldText       = "text"
	FieldTextarea   = "textarea"
	FieldDate       = "date"
	FieldTel        = "tel"
	FieldSelect     = "select"
	FieldRadio      = "radio"
	FieldCheckboxes = "checkboxes"
	FieldCheckbox   = "checkbox"
	FieldConsent    = "consent"
	FieldFile       = "file"
	FieldHoneypot   = "honeypot"
)

// Spec is data/forms.yaml.
type Spec struct {
	PrivacyVersion  string `yaml:"privacy_version"`
	Tip             *Form  `yaml:"tip"`
	Support         *Form  `yaml:"support"`
	FollowUp        *Form  `yaml:"follow_up"`
	FollowUpMessage *Form  `yaml:"follow_up_message"`
	// Kinds are the kinds of record and their workflow.
	Kinds []*KindDef `yaml:"kinds"`
	// Referrals are where records are referred to (data/referrals.yaml,
	// read by LoadSpec; empty from ParseSpec alone).
	Referrals *Referrals `yaml:"-"`
}

// Form is one form: where it posts and its fields in order.
type Form struct {
	Page   string   `yaml:"page"`
	Action string   `yaml:"action"`
	Submit string   `yaml:"submit"`
	Fields []*Field `yaml:"fields"`
}

// Field is one form field and its rules.
type Field struct {
	Name         string   `yaml:"name"`
	Type         string   `yaml:"type"`
	Label        string   `yaml:"label"`
	Noun         string   `yaml:"noun"`
	Column       string   `yaml:"column"`
	Hint         string   `yaml:"hint"`
	Required     bool     `yaml:"required"`
	Min          int      `yaml:"min"`
	Max          int      `yaml:"max"`
	Options      []Option `yaml:"options"`
	NotFuture    bool     `yaml:"not_future"`
	MinDate      string   `yaml:"min_date"` // YYYY-MM-DD: the earliest date a date field takes
	Priority     string   `yaml:"priority"`
	RequiredFor  []string `yaml:"required_for"`
	Accept       string   `yaml:"accept"`
	MaxFiles     int      `yaml:"max_files"`
	MaxFileBytes int64    `yaml:"max_file_bytes"`
	Autocomplete string   `yaml:"autocomplete"`
	Inputmode    string   `yaml:"inputmode"`
}

// optionCodeRe is what an option code may be: validator rules are built
// from the codes, so a space or a comma would change the rule itself.
var optionCodeRe = regexp.MustCompile(`^[a-z0-9_]{1,64}$`)

// Option is one choice of a select, radio group or checkbox group.
type Option struct {
	Value string `yaml:"value"`
	Label string `yaml:"label"`
}

// ParseSpec reads data/forms.yaml and checks that it is coherent.
func ParseSpec(b []byte) (*Spec, error) {
	s := Spec{Referrals: &Referrals{}}
	if err := yaml.UnmarshalWithOptions(b, &s, yaml.Strict()); err != nil {
		return nil, fmt.Errorf("parse forms.yaml: %w", err)
	}
	for name, f := range s.Forms() {
		if f == nil {
			return nil, fmt.Errorf("forms.yaml: form %q is missing", name)
		}
		if err := f.check(); err != nil {
			return nil, fmt.Errorf("forms.yaml: form %q: %w", name, err)
		}
	}
	if err := s.checkKinds(); err != nil {
		return nil, err
	}
	return &s, nil
}

// DefaultSpec is the spec the binary carries (data/forms.yaml, embedded),
// parsed once.
var DefaultSpec = sync.OnceValues(func() (*Spec, error) { return LoadSpec(data.FormsYAML, data.ReferralsYAML) })

// LoadSpec reads forms.yaml and referrals.yaml as one spec.
func LoadSpec(forms, referrals []byte) (*Spec, error) {
	s, err := ParseSpec(forms)
	if err != nil {
		return nil, err
	}
	if s.Referrals, err = ParseReferrals(referrals); err != nil {
		return nil, err
	}
	for _, d := range s.Referrals.Destinations {
		for _, k := range d.Kinds {
			if s.Kind(k) == nil {
				return nil, fmt.Errorf("referrals.yaml: destination %q: no kind %q", d.Code, k)
			}
		}
	}
	return s, nil
}

// Forms returns the forms by their key in forms.yaml.
func (s *Spec) Forms() map[string]*Form {
	return map[string]*Form{
		"tip":               s.Tip,
		"support":           s.Support,
		"follow_up":         s.FollowUp,
		"follow_up_message": s.FollowUpMessage,
	}
}

func (f *Form) check() error {
	seen := map[string]bool{}
	for _, fd := range f.Fields {
		if fd.Name == "" || seen[fd.Name] {
			return fmt.Errorf("field name %q is empty or repeated", fd.Name)
		}
		seen[fd.Name] = true
		switch fd.Type {
		case FieldText, FieldTextarea, FieldDate, FieldTel, FieldCheckbox, FieldConsent, FieldHoneypot:
			if len(fd.Options) > 0 {
				return fmt.Errorf("field %q: type %s takes no options", fd.Name, fd.Type)
			}
		case FieldSelect, FieldRadio, FieldCheckboxes:
			if len(fd.Options) == 0 {
				return fmt.Errorf("field %q: type %s needs options", fd.Name, fd.Type)
			}
		case FieldFile:
			if fd.MaxFiles < 1 || fd.MaxFileBytes < 1 {
				return fmt.Errorf("field %q: a file field needs max_files and max_file_bytes", fd.Name)
			}
		default:
			return fmt.Errorf("field %q: unknown type %q", fd.Name, fd.Type)
		}
		for _, o := range fd.Options {
			if !optionCodeRe.MatchString(o.Value) {
				return fmt.Errorf("field %q: option code %q: use lower-case letters a–z, digits and underscores only (no spaces, commas or accents)", fd.Name, o.Value)
			}
		}
		if fd.MinDate != "" {
			if _, err := time.Parse("2006-01-02", fd.MinDate); err != nil || fd.Type != FieldDate {
				return fmt.Errorf("field %q: min_date %q must be a YYYY-MM-DD date on a date field", fd.Name, fd.MinDate)
			}
		}
		if fd.Noun == "" && fd.Type != FieldHoneypot {
			return fmt.Errorf("field %q: needs a noun for its error messages", fd.Name)
		}
		if fd.Max < 0 || fd.Min < 0 || (fd.Max > 0 && fd.Min > fd.Max) {
			return fmt.Errorf("field %q: bad min/max", fd.Name)
		}
	}
	for _, fd := range f.Fields {
		for _, v := range fd.RequiredFor {
			if !slices.ContainsFunc(f.Fields, func(o *Field) bool { return o.HasOption(v) }) {
				return fmt.Errorf("field %q: required_for names %q, which no field offers", fd.Name, v)
			}
		}
	}
	return nil
}

// Field returns the named field, or nil.
func (f *Form) Field(name string) *Field {
	for _, fd := range f.Fields {
		if fd.Name == name {
			return fd
		}
	}
	return nil
}

// FileField returns the form's file field, or nil.
func (f *Form) FileField() *Field {
	for _, fd := range f.Fields {
		if fd.Type == FieldFile {
			return fd
		}
	}
	return nil
}

// TooLargeMessage is the 413 message for f: with a file field, its limits
// as data/forms.yaml sets them ("tối đa 3 ảnh, mỗi ảnh không quá 5 MB").
func (f *Form) TooLargeMessage() string {
	ff := f.FileField()
	if ff == nil {
		return MsgTooLarge
	}
	return fmt.Sprintf("%s Hãy gửi tối đa %d %s, mỗi %s không quá %s.", MsgTooLarge, ff.MaxFiles, ff.Noun, ff.Noun, megabytes(ff.MaxFileBytes))
}

// megabytes writes n bytes as people read them: "5 MB", "1,5 MB".
func megabytes(n int64) string {
	mb := float64(n) / (1 << 20)
	if mb == float64(int64(mb)) {
		return fmt.Sprintf("%d MB", int64(mb))
	}
	return strings.Replace(fmt.Sprintf("%.1f MB", mb), ".", ",", 1)
}

// HasOption reports whether v is one of the field's option values.
func (fd *Field) HasOption(v string) bool {
	return slices.ContainsFunc(fd.Options, func(o Option) bool { return o.Value == v })
}

// OptionValues lists the field's option values in order.
func (fd *Field) OptionValues() []string {
	vs := make([]string, len(fd.Options))
	for i, o := range fd.Options {
		vs[i] = o.Value
	}
	return vs
}

// OptionLabel returns the label of option v, or v itself.
func (fd *Field) OptionLabel(v string) string {
	for _, o := range fd.Options {
		if o.Value == v {
			return o.Label
		}
	}
	return v
}

// Heading is the field's short heading in exports and officers' pages
// (forms.yaml's column), else its label.
func (fd *Field) Heading() string {
	if fd.Column != "" {
		return fd.Column
	}
	return fd.Label
}

// AsksConsent reports whether the form asks for consent to the privacy
// notice: its records then carry the notice's version agreed to.
func (f *Form) AsksConsent() bool {
	return slices.ContainsFunc(f.Fields, func(fd *Field) bool { return fd.Type == FieldConsent })
}

// Multi reports whether the field takes several values.
func (fd *Field) Multi() bool { return fd.Type == FieldCheckboxes }

// Bool reports whether the field is a yes/no value.
func (fd *Field) Bool() bool { return fd.Type == FieldCheckbox || fd.Type == FieldConsent }

// Rule is the validator/v10 tag that the service enforces for the field.
// The conditional rule of required_for is applied separately, since it
// depends on another field's value.
func (fd *Field) Rule() string {
	var r []string
	switch {
	case fd.Required:
		r = append(r, "required")
	case fd.Type != FieldHoneypot:
		r = append(r, "omitempty")
	}
	switch fd.Type {
	case FieldHoneypot:
		return "" // checked by the handler: a filled honeypot is a bot
	case FieldCheckbox, FieldConsent, FieldFile:
		return strings.Join(r, ",")
	case FieldCheckboxes:
		r = append(r, "dive", "oneof="+strings.Join(fd.OptionValues(), " "))
		return strings.Join(r, ",")
	case FieldSelect, FieldRadio:
		r = append(r, "oneof="+strings.Join(fd.OptionValues(), " "))
	case FieldDate:
		r = append(r, "datetime=2006-01-02")
		if fd.NotFuture {
			r = append(r, "notfuture")
		}
	case FieldTel:
		r = append(r, "vnphone")
	}
	if fd.Min > 0 {
		r = append(r, "min="+strconv.Itoa(fd.Min))
	}
	if fd.Max > 0 {
		r = append(r, "max="+strconv.Itoa(fd.Max))
	}
	return strings.Join(r, ",")
}
