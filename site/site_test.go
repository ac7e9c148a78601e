// Tests of the built site: the real Hugo build, read with HTML selectors.
package site_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/gif"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/hoaphong/phongchongmaidam/data"
	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/phototest"
	"github.com/hoaphong/phongchongmaidam/formsvc/sqlite"
	"github.com/hoaphong/phongchongmaidam/formsvc/web"
	"github.com/hoaphong/phongchongmaidam/internal/testsite"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testsite.Cleanup()
	os.Exit(code)
}

func spec(t *testing.T) *formsvc.Spec {
	t.Helper()
	s, err := formsvc.ParseSpec(data.FormsYAML)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func page(t *testing.T, urlPath string) *goquery.Document {
	t.Helper()
	f, err := os.Open(filepath.Join(testsite.Build(t), filepath.FromSlash(urlPath), "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := goquery.NewDocumentFromReader(f)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// formOn finds the form of f on its page.
func formOn(t *testing.T, f *formsvc.Form) *goquery.Selection {
	t.Helper()
	form := page(t, f.Page).Find("form").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return s.AttrOr("action", "") == f.Action
	})
	if form.Length() != 1 {
		t.Fatalf("page %s has %d forms posting to %s, want 1", f.Page, form.Length(), f.Action)
	}
	return form
}

func named(form *goquery.Selection, name string) *goquery.Selection {
	return form.Find("input, select, textarea").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return s.AttrOr("name", "") == name
	})
}

func TestTipFormPage(t *testing.T) {
	s := spec(t)
	form := formOn(t, s.Tip)
	if m := form.AttrOr("method", ""); m != "post" {
		t.Errorf("method = %q, want post", m)
	}
	if enc := form.AttrOr("enctype", ""); enc != "multipart/form-data" {
		t.Errorf("enctype = %q, want multipart/form-data (photos)", enc)
	}
	for _, fd := range s.Tip.Fields {
		c := named(form, fd.Name)
		if c.Length() == 0 {
			t.Errorf("field %q of forms.yaml is not on the page", fd.Name)
			continue
		}
		id := c.First().AttrOr("id", "")
		if fd.Type != formsvc.FieldHoneypot && form.Find(`label[for="`+id+`"]`).Length() == 0 {
			t.Errorf("field %q has no label", fd.Name)
		}
	}
	if hp := named(form, "website"); hp.AttrOr("tabindex", "") != "-1" || hp.Parent().AttrOr("aria-hidden", "") != "true" {
		t.Errorf("the honeypot is reachable by keyboard or screen reader")
	}
	sel := named(form, "category")
	if goquery.NodeName(sel) != "select" {
		t.Errorf("category is a %s, want select", goquery.NodeName(sel))
	}
	if f := named(form, "attachments"); f.AttrOr("type", "") != "file" || f.AttrOr("accept", "") != "image/jpeg,image/png" {
		t.Errorf("attachments input = %v", f.Nodes[0].Attr)
	}
	if form.Find("[data-error-summary]").Length() != 1 {
		t.Errorf("no error summary slot")
	}
	doc := page(t, s.Tip.Page)
	if doc.Find("template[data-confirmation-template] [data-receipt]").Length() != 1 {
		t.Errorf("no confirmation template for the script")
	}
	if page(t, s.Tip.Page+web.ConfirmationChild).Find("[data-receipt]").Length() != 1 {
		t.Errorf("the confirmation page has no receipt slot")
	}
	if page(t, web.ErrorPagePath).Find("[data-error-message]").Length() != 1 {
		t.Errorf("the error page has no message slot")
	}
}

// TestRenderedFormsAgreeWithTheService reads each form as the browser gets
// it and checks it against what the service does: every control the page
// has, the service knows; every field the service validates is on the page;
// each length limit and each option code is the same on both sides.
func TestRenderedFormsAgreeWithTheService(t *testing.T) {
	s := spec(t)
	h := handler(t, s)
	for key, f := range map[string]*formsvc.Form{"tip": s.Tip, "support": s.Support} {
		t.Run(key, func(t *testing.T) {
			form := formOn(t, f)
			valid := validValues(t, form, f)
			// The page's valid answers are accepted.
			if code, fields := submit(t, h, f.Action, valid); code != http.StatusCreated {
				t.Fatalf("the page's own valid answers: status %d, fields %v", code, fields)
			}
			names := map[string]bool{}
			form.Find("input, select, textarea").Each(func(_ int, c *goquery.Selection) {
				names[c.AttrOr("name", "")] = true
			})
			for name := range names {
				if f.Field(name) == nil {
					t.Errorf("the page has control %q, which the service does not know", name)
				}
			}
			for _, fd := range f.Fields {
				if !names[fd.Name] {
					t.Errorf("the service validates %q, which the page lacks", fd.Name)
				}
			}
			for _, fd := range f.Fields {
				if fd.Type == formsvc.FieldHoneypot || fd.Type == formsvc.FieldFile {
					continue
				}
				c := named(form, fd.Name)
				wrap := form.Find(`[data-field="` + fd.Name + `"]`)
				// Required: the page marks it, and the service refuses its absence.
				pageRequired := wrap.Find(".req").Length() > 0
				without := clone(valid)
				delete(without, fd.Name)
				_, fields := submit(t, h, f.Action, without)
				_, serviceRequired := fields[fd.Name]
				if pageRequired != serviceRequired {
					t.Errorf("%s: page says required=%v, service refuses absence=%v", fd.Name, pageRequired, serviceRequired)
				}
				// Length limits: the page's maxlength is the service's.
				if ml, ok := c.Attr("maxlength"); ok {
					n, _ := strconv.Atoi(ml)
					checkLength(t, h, f, valid, fd.Name, n, true)
				} else if fd.Max > 0 {
					t.Errorf("%s: service limits to %d characters, page has no maxlength", fd.Name, fd.Max)
				}
				if ml, ok := c.Attr("minlength"); ok {
					n, _ := strconv.Atoi(ml)
					checkLength(t, h, f, valid, fd.Name, n, false)
				} else if fd.Min > 0 && fd.Type != formsvc.FieldCheckboxes {
					t.Errorf("%s: service wants at least %d characters, page has no minlength", fd.Name, fd.Min)
				}
				// Dates: the page says which may not be in the future (in
				// the field's hint), and the service refuses them; a date
				// typed as the page asks (dd/mm/yyyy) is taken.
				if fd.Type == formsvc.FieldDate {
					pageNotFuture := strings.Contains(wrap.Find(".hint").Text(), "tương lai")
					v := clone(valid)
					v[fd.Name] = []string{"5/3/2026"}
					if _, fields := submit(t, h, f.Action, v); fields[fd.Name] != "" {
						t.Errorf("%s: a date typed as the hint says is refused: %s", fd.Name, fields[fd.Name])
					}
					v = clone(valid)
					v[fd.Name] = []string{"29/11/2026"} // the day after the handler's clock
					_, fields := submit(t, h, f.Action, v)
					if serviceNotFuture := fields[fd.Name] != ""; pageNotFuture != serviceNotFuture {
						t.Errorf("%s: page marks not-future=%v, service refuses tomorrow=%v", fd.Name, pageNotFuture, serviceNotFuture)
					}
				}
				// Codes: the page offers exactly the codes the service accepts.
				if opts := optionValues(c); len(opts) > 0 {
					serviceCodes := oneof(fd.Rule())
					if !slices.Equal(opts, serviceCodes) {
						t.Errorf("%s: page offers %v, service accepts %v", fd.Name, opts, serviceCodes)
					}
					for _, o := range opts {
						v := clone(valid)
						v[fd.Name] = []string{o}
						if _, fields := submit(t, h, f.Action, v); fields[fd.Name] != "" {
							t.Errorf("%s: the page's option %q is refused: %s", fd.Name, o, fields[fd.Name])
						}
					}
					v := clone(valid)
					v[fd.Name] = []string{"khong-co-ma-nay"}
					if _, fields := submit(t, h, f.Action, v); fields[fd.Name] == "" {
						t.Errorf("%s: a code the page does not offer was accepted", fd.Name)
					}
				}
			}
		})
	}
}

// TestFileFieldAgreesWithTheService: the photo input's accept list, number
// of files and size per file are the service's, and the service takes what
// the page allows and refuses one file too many, one byte too large and a
// type the page does not offer.
func TestFileFieldAgreesWithTheService(t *testing.T) {
	s := spec(t)
	h := handler(t, s)
	f := s.Tip
	ff := f.FileField()
	if ff == nil {
		t.Fatal("the tip form has no file field")
	}
	form := formOn(t, f)
	c := named(form, ff.Name)
	if c.AttrOr("type", "") != "file" {
		t.Fatalf("%s is not a file input", ff.Name)
	}
	accept := strings.Split(c.AttrOr("accept", ""), ",")
	if want := strings.Split(ff.Accept, ","); !slices.Equal(slices.Sorted(slices.Values(accept)), slices.Sorted(slices.Values(want))) {
		t.Errorf("page accepts %v, service %v", accept, want)
	}
	maxFiles, _ := strconv.Atoi(c.AttrOr("data-max-files", ""))
	maxBytes, _ := strconv.ParseInt(c.AttrOr("data-max-file-bytes", ""), 10, 64)
	if maxFiles != ff.MaxFiles || maxBytes != ff.MaxFileBytes {
		t.Errorf("page allows %d files of %d bytes, service %d of %d", maxFiles, maxBytes, ff.MaxFiles, ff.MaxFileBytes)
	}
	if _, ok := c.Attr("multiple"); ok != (maxFiles > 1) {
		t.Errorf("multiple=%v with %d files allowed", ok, maxFiles)
	}
	valid := validValues(t, form, f)
	photo := func(kind string) []byte {
		var buf bytes.Buffer
		img := image.NewRGBA(image.Rect(0, 0, 8, 8))
		switch kind {
		case "image/jpeg":
			return phototest.JPEGWithGPS(t, 8, 8, 1)
		case "image/png":
			png.Encode(&buf, img)
		case "image/gif":
			gif.Encode(&buf, img, nil)
		}
		return buf.Bytes()
	}
	post := func(files [][]byte) (int, map[string]string) {
		t.Helper()
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for k, vs := range valid {
			for _, v := range vs {
				mw.WriteField(k, v)
			}
		}
		for i, b := range files {
			w, _ := mw.CreateFormFile(ff.Name, fmt.Sprintf("anh-%d", i))
			w.Write(b)
		}
		mw.Close()
		return submitBody(t, h, f.Action, mw.FormDataContentType(), &buf)
	}
	for _, kind := range accept {
		files := make([][]byte, maxFiles)
		for i := range files {
			files[i] = photo(kind)
		}
		if code, fields := post(files); code != http.StatusCreated {
			t.Errorf("%d %s files, as the page allows: status %d, fields %v", maxFiles, kind, code, fields)
		}
	}
	tooMany := make([][]byte, maxFiles+1)
	for i := range tooMany {
		tooMany[i] = photo(accept[0])
	}
	if code, _ := post(tooMany); code == http.StatusCreated {
		t.Errorf("%d files, one more than the page allows, were accepted", maxFiles+1)
	}
	big := append(photo("image/jpeg"), make([]byte, maxBytes)...)
	if code, _ := post([][]byte{big}); code == http.StatusCreated {
		t.Errorf("a %d-byte file, over the page's %d, was accepted", len(big), maxBytes)
	}
	if !slices.Contains(accept, "image/gif") {
		if code, _ := post([][]byte{photo("image/gif")}); code == http.StatusCreated {
			t.Errorf("a GIF, which the page does not accept, was accepted")
		}
	}
}

func checkLength(t *testing.T, h http.Handler, f *formsvc.Form, valid url.Values, name string, n int, isMax bool) {
	t.Helper()
	ok, bad := n, n+1
	if !isMax {
		ok, bad = n, n-1
	}
	v := clone(valid)
	v[name] = []string{sample(f.Field(name), ok)}
	if _, fields := submit(t, h, f.Action, v); fields[name] != "" {
		t.Errorf("%s: %d characters allowed by the page, refused by the service: %s", name, ok, fields[name])
	}
	v[name] = []string{sample(f.Field(name), bad)}
	if _, fields := submit(t, h, f.Action, v); fields[name] == "" {
		t.Errorf("%s: %d characters refused by the page, accepted by the service", name, bad)
	}
}

// sample is n characters that are otherwise valid for the field.
func sample(fd *formsvc.Field, n int) string {
	if fd.Type == formsvc.FieldTel {
		// Spaces inside the number count, and the service strips them after.
		return "0" + strings.Repeat(" ", max(0, n-10)) + "912345678"[:max(0, min(n, 10)-1)]
	}
	return strings.Repeat("ộ", n)
}

var oneofRe = regexp.MustCompile(`oneof=([^,]*)`)

func oneof(rule string) []string {
	m := oneofRe.FindStringSubmatch(rule)
	if m == nil {
		return nil
	}
	return strings.Fields(m[1])
}

func optionValues(c *goquery.Selection) []string {
	var out []string
	c.Find("option").Each(func(_ int, o *goquery.Selection) {
		if v := o.AttrOr("value", ""); v != "" {
			out = append(out, v)
		}
	})
	if goquery.NodeName(c) == "input" && (c.AttrOr("type", "") == "radio" || c.AttrOr("type", "") == "checkbox") && c.Length() > 1 {
		c.Each(func(_ int, o *goquery.Selection) { out = append(out, o.AttrOr("value", "")) })
	}
	return out
}

// validValues fills the form as a person would: the first option of each
// choice, a tick in each box, sensible text.
func validValues(t *testing.T, form *goquery.Selection, f *formsvc.Form) url.Values {
	v := url.Values{}
	for _, fd := range f.Fields {
		c := named(form, fd.Name)
		switch fd.Type {
		case formsvc.FieldHoneypot, formsvc.FieldFile:
		case formsvc.FieldSelect, formsvc.FieldRadio, formsvc.FieldCheckboxes:
			v.Set(fd.Name, optionValues(c)[0])
		case formsvc.FieldCheckbox, formsvc.FieldConsent:
			v.Set(fd.Name, c.AttrOr("value", "on"))
		case formsvc.FieldDate:
			v.Set(fd.Name, "2026-11-01")
		case formsvc.FieldTel:
			v.Set(fd.Name, "0912345678")
		default:
			v.Set(fd.Name, "Nội dung thử đủ dài")
		}
	}
	return v
}

func clone(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string{}, vs...)
	}
	return out
}

func handler(t *testing.T, s *formsvc.Spec) http.Handler {
	keys, err := formsvc.DeriveKeys(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"), keys)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return web.NewServer(web.Config{Spec: s, Store: db, Keys: keys, SiteDir: testsite.Build(t),
		Now: func() time.Time { return time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC) }}).Handler()
}

// submit posts v as JSON-answered urlencoded and returns the status and
// the field messages.
func submit(t *testing.T, h http.Handler, action string, v url.Values) (int, map[string]string) {
	t.Helper()
	return submitBody(t, h, action, "application/x-www-form-urlencoded", strings.NewReader(v.Encode()))
}

// submitBody posts body of type ct, asking for JSON, and returns the status
// and the field messages.
func submitBody(t *testing.T, h http.Handler, action, ct string, body io.Reader) (int, map[string]string) {
	t.Helper()
	req := httptest.NewRequest("POST", action, body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Accept", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var answer struct {
		Fields map[string]string `json:"fields"`
	}
	decodeInto(t, rec.Body.Bytes(), &answer)
	return rec.Code, answer.Fields
}
