package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// maxTextBody bounds a body without files: the longest form holds about
// 5,000 characters, which urlencoded Vietnamese turns into some 45 KB.
const maxTextBody = 128 << 10

// upload is one file part of a multipart body, read into memory.
type upload struct {
	field string
	name  string
	data  []byte
	large bool // larger than the field's max_file_bytes; data is cut
}

// maxBody is the largest body form f accepts.
func maxBody(f *formsvc.Form) int64 {
	n := int64(maxTextBody)
	if ff := f.FileField(); ff != nil {
		n += int64(ff.MaxFiles)*ff.MaxFileBytes + 16<<10*int64(ff.MaxFiles)
	}
	return n
}

// tooLarge is the 413 error for a body too large for form f.
func tooLarge(f *formsvc.Form) error {
	return &formsvc.Error{Code: formsvc.ETOOLARGE, Message: f.TooLargeMessage()}
}

// decodeBody reads a urlencoded, multipart or JSON body into Values, with
// the body bounded before it is read. Errors are *formsvc.Error with codes
// EMALFORMED (400), ETOOLARGE (413) or EUNSUPPORTED (415).
func decodeBody(w http.ResponseWriter, r *http.Request, f *formsvc.Form) (formsvc.Values, []upload, error) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return nil, nil, formsvc.Errorf(formsvc.EUNSUPPORTED, formsvc.MsgUnsupported)
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") && mt != "multipart/form-data" {
		return nil, nil, formsvc.Errorf(formsvc.EUNSUPPORTED, "Chỉ nhận nội dung mã hóa UTF-8 (charset=%s không được hỗ trợ). Hãy gửi từ biểu mẫu trên trang web.", formsvc.Clip(cs, 20))
	}
	limit := int64(maxTextBody)
	if mt == "multipart/form-data" {
		limit = maxBody(f)
	}
	if r.ContentLength > limit {
		return nil, nil, tooLarge(f)
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	var in formsvc.Values
	var files []upload
	switch mt {
	case "application/x-www-form-urlencoded":
		in, err = decodeURLEncoded(r.Body)
	case "application/json":
		in, err = decodeJSON(r.Body, f)
	case "multipart/form-data":
		in, files, err = decodeMultipart(r.Body, params["boundary"], f)
	default:
		return nil, nil, formsvc.Errorf(formsvc.EUNSUPPORTED, formsvc.MsgUnsupported)
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, nil, tooLarge(f)
		}
		var fe *formsvc.Error
		if errors.As(err, &fe) {
			return nil, nil, fe
		}
		return nil, nil, &formsvc.Error{Code: formsvc.EMALFORMED, Message: formsvc.MsgMalformed}
	}
	for k, vs := range in {
		for _, v := range vs {
			if !utf8.ValidString(k) || !utf8.ValidString(v) {
				return nil, nil, formsvc.Errorf(formsvc.EMALFORMED, msgNotUTF8)
			}
		}
	}
	if err := formsvc.CheckShape(f, in); err != nil {
		return nil, nil, err
	}
	return in, files, nil
}

const msgNotUTF8 = "Nội dung gửi lên có ký tự không đọc được (không phải UTF-8). Vui lòng gửi lại từ biểu mẫu trên trang web."

func decodeURLEncoded(body io.Reader) (formsvc.Values, error) {
	b, err := io.ReadAll(body)
	if err != nil {
		return nil, err
	}
	v, err := url.ParseQuery(string(b))
	if err != nil {
		return nil, fmt.Errorf("parse urlencoded body: %w", err)
	}
	return formsvc.Values(v), nil
}

// decodeJSON reads one JSON object whose members are strings, booleans,
// numbers, null, or arrays of strings for the fields of f that take
// several values; anything else is malformed. encoding/json would turn
// invalid UTF-8 into U+FFFD silently, so the bytes are checked first.
func decodeJSON(body io.Reader, f *formsvc.Form) (formsvc.Values, error) {
	raw, err := io.ReadAll(body)
	if err != nil {
		return nil, err
	}
	if !utf8.Valid(raw) {
		return nil, formsvc.Errorf(formsvc.EMALFORMED, msgNotUTF8)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	// Member by member, so that a member given twice is seen (a map would
	// keep the last one silently).
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, errors.New("json body is not an object")
	}
	obj := map[string]any{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("parse json body: %w", err)
		}
		k, _ := t.(string)
		if _, dup := obj[k]; dup {
			return nil, formsvc.Errorf(formsvc.EMALFORMED, "Trường %q được gửi nhiều lần. Vui lòng gửi lại từ biểu mẫu trên trang web.", formsvc.Clip(k, 40))
		}
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("parse json body: %w", err)
		}
		obj[k] = v
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, fmt.Errorf("parse json body: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("json body: data after the object")
	}
	in := formsvc.Values{}
	for k, v := range obj {
		switch v := v.(type) {
		case nil:
		case string:
			in[k] = []string{v}
		case bool:
			in[k] = []string{strconv.FormatBool(v)}
		case json.Number:
			in[k] = []string{v.String()}
		case []any:
			if fd := f.Field(k); fd == nil || !fd.Multi() {
				return nil, formsvc.Errorf(formsvc.EMALFORMED, "Trường %q chỉ nhận một giá trị, không nhận danh sách.", formsvc.Clip(k, 40))
			}
			for _, e := range v {
				s, ok := e.(string)
				if !ok {
					return nil, fmt.Errorf("json member %q: arrays hold strings only", k)
				}
				in[k] = append(in[k], s)
			}
		default:
			return nil, fmt.Errorf("json member %q: unsupported type", k)
		}
	}
	return in, nil
}

// decodeMultipart streams the parts: text parts are bounded, file parts of
// the form's file field are read up to one byte past their limit.
func decodeMultipart(body io.Reader, boundary string, f *formsvc.Form) (formsvc.Values, []upload, error) {
	if boundary == "" {
		return nil, nil, errors.New("multipart body without boundary")
	}
	ff := f.FileField()
	mr := multipart.NewReader(body, boundary)
	in := formsvc.Values{}
	var files []upload
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return in, files, nil
		}
		if err != nil {
			return nil, nil, err
		}
		name := p.FormName()
		if p.FileName() != "" || (ff != nil && name == ff.Name) {
			if ff == nil || name != ff.Name {
				return nil, nil, fmt.Errorf("unexpected file part %q", name)
			}
			data, err := io.ReadAll(io.LimitReader(p, ff.MaxFileBytes+1))
			if err != nil {
				return nil, nil, err
			}
			if len(data) == 0 {
				continue // the browser's empty part when no file was chosen
			}
			files = append(files, upload{field: name, name: p.FileName(), data: data, large: int64(len(data)) > ff.MaxFileBytes})
			if len(files) > ff.MaxFiles+1 {
				return nil, nil, tooLarge(f)
			}
			continue
		}
		v, err := io.ReadAll(io.LimitReader(p, maxTextBody+1))
		if err != nil {
			return nil, nil, err
		}
		if len(v) > maxTextBody {
			return nil, nil, tooLarge(f)
		}
		in[name] = append(in[name], string(v))
	}
}
