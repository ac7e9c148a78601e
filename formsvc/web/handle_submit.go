package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"unicode/utf8"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// receiptTries bounds the redraws when a receipt's hash is already taken.
const receiptTries = 3

// handleSubmit accepts a tip-off or a support request: it decodes the body,
// validates it against data/forms.yaml, stores it durably and answers with
// a receipt (JSON, or the site's confirmation page for a plain form post).
func (s *Server) handleSubmit(d *formsvc.KindDef) http.HandlerFunc {
	f, kind := d.Form, d.Kind
	return func(w http.ResponseWriter, r *http.Request) {
		in, files, err := decodeBody(w, r, f)
		if err != nil {
			s.fail(w, r, f, nil, err)
			return
		}
		// The key comes as a header, or as a form field when site.js falls
		// back to a plain post after a network failure.
		idemKey := r.Header.Get("Idempotency-Key")
		if idemKey == "" {
			idemKey = in.Get(idempotencyField)
		}
		if idemKey != "" && !validIdempotencyKey(idemKey) {
			s.fail(w, r, f, nil, formsvc.Errorf(formsvc.EMALFORMED, "Idempotency-Key không hợp lệ: 16 đến 128 ký tự ASCII nhìn thấy được, ví dụ một UUID."))
			return
		}
		if s.isBot(f, in) {
			// A normal-looking answer, and nothing stored.
			s.logNote(r, "bỏ qua bài gửi tự động (ô bẫy đã bị điền)", "kind", kind)
			s.succeed(w, r, f, formsvc.NewReceipt())
			return
		}
		clean, verr := s.validate.Validate(f, in)
		photos, perrs, err := s.cleanPhotos(r.Context(), f, files)
		if err != nil {
			s.log.Warn("chưa xử lý được ảnh: hệ thống bận", "kind", kind)
			s.fail(w, r, f, in, err)
			return
		}
		if verr != nil || len(perrs) > 0 {
			fields := map[string]string{}
			var fe *formsvc.Error
			if errors.As(verr, &fe) {
				fields = fe.Fields
			} else if verr != nil {
				s.fail(w, r, f, in, verr)
				return
			}
			for k, v := range perrs {
				fields[k] = v
			}
			s.fail(w, r, f, in, &formsvc.Error{Code: formsvc.EINVALID, Message: formsvc.MsgInvalid, Fields: fields})
			return
		}
		sub := formsvc.NewSubmission(d, clean, s.now())
		sub.Photos = photos
		if f.AsksConsent() {
			sub.Content.PrivacyVersion = s.spec.PrivacyVersion
		}
		// A plain post without a key (JavaScript off) gets one from its
		// address and a ten-minute span: a double click, or Back and send
		// again, stores one record. The span before is looked at too.
		var earlier string
		if idemKey == "" && !wantsJSON(r) {
			idemKey, earlier = s.plainKey(r, 0), s.plainKey(r, -1)
		}
		var receipt formsvc.Receipt
		if earlier != "" {
			if prev, perr := idempotentReceipt(s.keys.Receipt, sub, earlier); perr == nil {
				if _, ferr := s.store.SubmissionByReceipt(r.Context(), s.hasher.Hash(prev)); ferr == nil {
					s.logNote(r, "gửi lại cùng nội dung: không lưu lần nữa", "kind", kind)
					s.succeed(w, r, f, prev)
					return
				}
			}
		}
		if idemKey != "" {
			receipt, err = idempotentReceipt(s.keys.Receipt, sub, idemKey)
			if err == nil {
				err = s.store.CreateSubmission(r.Context(), sub, s.hasher.Hash(receipt))
			}
			if errors.Is(err, formsvc.ErrReceiptTaken) {
				// A retry of a submission already stored: same answer.
				s.logNote(r, "gửi lại cùng Idempotency-Key: không lưu lần nữa", "kind", kind)
				s.succeed(w, r, f, receipt)
				return
			}
		} else {
			for range receiptTries {
				receipt = formsvc.NewReceipt()
				err = s.store.CreateSubmission(r.Context(), sub, s.hasher.Hash(receipt))
				if !errors.Is(err, formsvc.ErrReceiptTaken) {
					break
				}
			}
		}
		if err != nil {
			s.log.Error("không lưu được bài gửi", "kind", kind, "err", err)
			s.fail(w, r, f, in, err)
			return
		}
		accept(r)
		// Nothing that identifies the record (no reference, priority or
		// photo count): the public path's lines say only that one came.
		s.logNote(r, "đã nhận bài gửi", "kind", kind)
		s.succeed(w, r, f, receipt)
	}
}

// isBot reports whether a honeypot field was filled in.
func (s *Server) isBot(f *formsvc.Form, in formsvc.Values) bool {
	for _, fd := range f.Fields {
		if fd.Type == formsvc.FieldHoneypot && in.Get(fd.Name) != "" {
			return true
		}
	}
	return false
}

// cleanPhotos checks the uploads against the file field's limits and
// strips their metadata; problems with a file become field messages. err
// is the *formsvc.Error (503) of a photo that waited too long for its turn
// to be decoded.
func (s *Server) cleanPhotos(ctx context.Context, f *formsvc.Form, files []upload) ([]formsvc.Photo, map[string]string, error) {
	ff := f.FileField()
	if ff == nil || len(files) == 0 {
		return nil, nil, nil
	}
	if len(files) > ff.MaxFiles {
		return nil, map[string]string{ff.Name: fmt.Sprintf("Chỉ gửi được tối đa %d ảnh.", ff.MaxFiles)}, nil
	}
	var photos []formsvc.Photo
	for _, u := range files {
		if u.large {
			return nil, map[string]string{ff.Name: fmt.Sprintf("Ảnh “%s” lớn hơn %d MB. Hãy chọn ảnh nhỏ hơn.", shortName(u.name), ff.MaxFileBytes>>20)}, nil
		}
		p, err := s.photos.Clean(ctx, u.data)
		var fe *formsvc.Error
		switch {
		case errors.As(err, &fe) && fe.Code == formsvc.EINVALID:
			return nil, map[string]string{ff.Name: fmt.Sprintf("Tệp “%s”: %s", shortName(u.name), fe.Message)}, nil
		case fe != nil:
			return nil, nil, fe
		case err != nil:
			return nil, map[string]string{ff.Name: fmt.Sprintf("Tệp “%s” không phải ảnh JPEG hoặc PNG đọc được.", shortName(u.name))}, nil
		}
		photos = append(photos, p)
	}
	return photos, nil, nil
}

func shortName(s string) string {
	s, _ = formsvc.CleanText(s, false)
	if utf8.RuneCountInString(s) > 40 {
		return string([]rune(s)[:40]) + "…"
	}
	if s == "" {
		return "không tên"
	}
	return s
}
