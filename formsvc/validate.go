package formsvc

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-playground/validator/v10"
	"golang.org/x/text/unicode/norm"
)

// Values is a decoded request body: every body type (urlencoded, multipart,
// JSON) is turned into this one shape before validation.
type Values map[string][]string

// Get returns the first value of a field, or "".
func (v Values) Get(name string) string {
	if vs := v[name]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// Clean is a validated submission: trimmed, NFC-normalised text, booleans
// and option codes.
type Clean struct {
	Text  map[string]string
	Bools map[string]bool
	Lists map[string][]string
}

// Validator checks form values against the rules of data/forms.yaml with
// validator/v10 and gives a Vietnamese message per broken rule.
type Validator struct {
	v     *validator.Validate
	now   func() time.Time
	rules sync.Map // *Field → its Rule(), built once
}

// NewValidator makes a validator. now gives the current time (for the
// not-in-the-future rule); nil means time.Now.
func NewValidator(now func() time.Time) *Validator {
	if now == nil {
		now = time.Now
	}
	val := &Validator{v: validator.New(validator.WithRequiredStructEnabled()), now: now}
	must(val.v.RegisterValidation("notfuture", val.notFuture))
	must(val.v.RegisterValidation("vnphone", func(fl validator.FieldLevel) bool {
		return IsVietnamesePhone(fl.Field().String())
	}))
	return val
}

// rule is fd.Rule(), built once per field rather than for every field of
// every submission.
func (val *Validator) rule(fd *Field) string {
	if r, ok := val.rules.Load(fd); ok {
		return r.(string)
	}
	r := fd.Rule()
	val.rules.Store(fd, r)
	return r
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func (val *Validator) notFuture(fl validator.FieldLevel) bool {
	d, err := time.ParseInLocation("2006-01-02", fl.Field().String(), Vietnam)
	if err != nil {
		return false
	}
	today := val.now().In(Vietnam)
	return !d.After(time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, Vietnam))
}

var phoneRe = regexp.MustCompile(`^(0[35789]\d{8}|02\d{9})$`)

// NormalizePhone strips spaces, dots, dashes and brackets and turns a +84
// or 84 prefix into 0.
func NormalizePhone(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(" .-()", r) {
			return -1
		}
		return r
	}, s)
	switch {
	case strings.HasPrefix(s, "+84"):
		s = "0" + s[3:]
	case strings.HasPrefix(s, "84") && len(s) == 11:
		s = "0" + s[2:]
	}
	return s
}

// IsVietnamesePhone reports whether s is a Vietnamese mobile number
// (10 digits from 03, 05, 07, 08, 09) or landline (11 digits from 02).
func IsVietnamesePhone(s string) bool { return phoneRe.MatchString(NormalizePhone(s)) }

// CleanText trims, NFC-normalises and removes control characters; a
// multi-line field keeps line breaks and tabs. ok is false for invalid UTF-8.
func CleanText(s string, multiline bool) (out string, ok bool) {
	if !utf8.ValidString(s) {
		return "", false
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		if multiline && (r == '\n' || r == '\t') {
			return r
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			if multiline {
				return -1
			}
			return ' '
		}
		// Invisible format characters (bidi overrides such as U+202E, zero
		// widths, the BOM) can make a text read otherwise on an officer's
		// screen or in an export than it is; Vietnamese needs none of them.
		if unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(norm.NFC.String(s)), true
}

// ParseBool reads a yes/no form value: a checkbox sends "on" when ticked.
func ParseBool(s string) (b, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "0", "false", "off", "no":
		return false, true
	case "1", "true", "on", "yes":
		return true, true
	}
	return false, false
}

// CheckShape refuses a body that no form on the site sends: a field that
// takes one value given twice or as a list. A browser never does this; a
// crafted request does it to slip a second value past a check (a second
// "website" past the honeypot).
func CheckShape(f *Form, in Values) error {
	for name, vs := range in {
		if len(vs) < 2 {
			continue
		}
		if fd := f.Field(name); fd == nil || !fd.Multi() {
			return Errorf(EMALFORMED, "Trường %q được gửi nhiều lần. Vui lòng gửi lại từ biểu mẫu trên trang web.", Clip(name, 40))
		}
	}
	return nil
}

// Validate checks the values of form f. It returns the cleaned values, or
// an *Error with code EINVALID and a Vietnamese message for each field.
// File fields are checked by the caller, which holds the files.
func (val *Validator) Validate(f *Form, in Values) (*Clean, error) {
	c := &Clean{Text: map[string]string{}, Bools: map[string]bool{}, Lists: map[string][]string{}}
	fields := map[string]string{}
	for _, fd := range f.Fields {
		if fd.Type == FieldHoneypot || fd.Type == FieldFile {
			continue
		}
		msg := val.field(f, fd, in, c)
		if msg != "" {
			fields[fd.Name] = msg
		}
	}
	if len(fields) > 0 {
		return nil, &Error{Code: EINVALID, Message: MsgInvalid, Fields: fields}
	}
	return c, nil
}

func (val *Validator) field(f *Form, fd *Field, in Values, c *Clean) string {
	switch {
	case fd.Bool():
		b, ok := ParseBool(in.Get(fd.Name))
		if !ok {
			return fmt.Sprintf("%s không hợp lệ.", upper(fd.Noun))
		}
		if err := val.v.Var(b, val.rule(fd)); err != nil {
			return message(fd, err)
		}
		c.Bools[fd.Name] = b
	case fd.Multi():
		var list []string
		for _, s := range in[fd.Name] {
			s, ok := CleanText(s, false)
			if !ok {
				return msgBadText(fd)
			}
			if s != "" && !slices.Contains(list, s) {
				list = append(list, s)
			}
		}
		if err := val.v.Var(list, val.rule(fd)); err != nil {
			return message(fd, err)
		}
		c.Lists[fd.Name] = list
	default:
		s, ok := CleanText(in.Get(fd.Name), fd.Type == FieldTextarea)
		if !ok {
			return msgBadText(fd)
		}
		if s == "" && len(fd.RequiredFor) > 0 {
			for _, other := range f.Fields {
				if other != fd && slices.Contains(fd.RequiredFor, in.Get(other.Name)) {
					return fmt.Sprintf("Vui lòng nhập %s vì bạn đã chọn “%s”.", fd.Noun, other.OptionLabel(in.Get(other.Name)))
				}
			}
		}
		if fd.Type == FieldDate {
			s = isoDate(s)
		}
		if err := val.v.Var(s, val.rule(fd)); err != nil {
			return message(fd, err)
		}
		if fd.MinDate != "" && s != "" && s < fd.MinDate { // both YYYY-MM-DD
			min, _ := time.Parse("2006-01-02", fd.MinDate)
			return fmt.Sprintf("%s phải từ ngày %s trở về sau.", upper(fd.Noun), min.Format("02/01/2006"))
		}
		if fd.Type == FieldTel && s != "" {
			s = NormalizePhone(s)
		}
		c.Text[fd.Name] = s
	}
	return ""
}

func msgBadText(fd *Field) string {
	return fmt.Sprintf("%s có ký tự không đọc được. Vui lòng gõ lại.", upper(fd.Noun))
}

// message turns a validator error into the field's Vietnamese message.
func message(fd *Field, err error) string {
	var ve validator.ValidationErrors
	noun := fd.Noun
	if !errors.As(err, &ve) || len(ve) == 0 {
		return fmt.Sprintf("%s không hợp lệ.", upper(noun))
	}
	fe := ve[0]
	switch fe.Tag() {
	case "required":
		switch fd.Type {
		case FieldSelect, FieldRadio, FieldCheckboxes:
			return fmt.Sprintf("Vui lòng chọn %s.", noun)
		case FieldConsent:
			return "Bạn cần đánh dấu ô đồng ý thì chúng tôi mới lưu được yêu cầu."
		}
		return fmt.Sprintf("Vui lòng nhập %s.", noun)
	case "min":
		return fmt.Sprintf("%s cần ít nhất %s ký tự.", upper(noun), fe.Param())
	case "max":
		return fmt.Sprintf("%s không được dài quá %s ký tự.", upper(noun), fe.Param())
	case "oneof":
		return fmt.Sprintf("Lựa chọn %s không có trong danh sách. Vui lòng chọn lại.", noun)
	case "datetime":
		return fmt.Sprintf("%s phải là một ngày có thật, gõ ngày/tháng/năm, ví dụ 15/11/2026.", upper(noun))
	case "notfuture":
		return fmt.Sprintf("%s không được là một ngày trong tương lai.", upper(noun))
	case "vnphone":
		return "Số điện thoại chưa đúng. Hãy nhập số Việt Nam gồm 10 chữ số, ví dụ 0912 345 678."
	}
	return fmt.Sprintf("%s không hợp lệ.", upper(noun))
}

// upper capitalises the first letter, for a noun that starts a sentence.
func upper(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// dayMonthYear is a date as people here write it: 15/11/2026, 5/3/2026,
// 15-11-2026, 15.11.2026 or 15 11 2026.
var dayMonthYear = regexp.MustCompile(`^(\d{1,2})\s*[/.\- ]\s*(\d{1,2})\s*[/.\- ]\s*(\d{4})$`)

// isoDate turns a date typed as day, month, year into YYYY-MM-DD (what
// is stored and what programs send); anything else is returned as it is,
// for the date rule to judge.
func isoDate(s string) string {
	m := dayMonthYear.FindStringSubmatch(s)
	if m == nil {
		return s
	}
	day, _ := strconv.Atoi(m[1])
	month, _ := strconv.Atoi(m[2])
	return fmt.Sprintf("%s-%02d-%02d", m[3], month, day)
}
