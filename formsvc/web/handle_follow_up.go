package web

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// followUp is the answer to a follow-up: what the reporter may see.
type followUp struct {
	Kind        formsvc.Kind      `json:"kind"`
	KindLabel   string            `json:"kind_label"`
	Status      formsvc.Status    `json:"status"`
	StatusLabel string            `json:"status_label"`
	Messages    []followUpMessage `json:"messages"`
}

type followUpMessage struct {
	From string    `json:"from"` // "officer" or "you"
	Body string    `json:"body"`
	At   time.Time `json:"at"`
}

// handleFollowUp shows a submission's status and officers' replies to
// whoever holds its receipt. The receipt comes in the body, never the URL.
func (s *Server) handleFollowUp() http.HandlerFunc {
	f := s.spec.FollowUp
	return func(w http.ResponseWriter, r *http.Request) {
		in, sub, err := s.lookup(w, r, f)
		if err != nil {
			s.fail(w, r, f, in, err)
			return
		}
		fu, err := s.followUpOf(r.Context(), sub)
		if err != nil {
			s.log.Error("không đọc được trao đổi", "err", err)
			s.fail(w, r, f, in, err)
			return
		}
		s.logNote(r, "tra cứu", "kind", sub.Kind)
		if wantsJSON(r) {
			writeJSON(w, http.StatusOK, fu)
			return
		}
		s.followUpPage(w, r, http.StatusOK, f, in, fu, false)
	}
}

// handleFollowUpMessage adds the reporter's detail to their submission.
func (s *Server) handleFollowUpMessage() http.HandlerFunc {
	f := s.spec.FollowUpMessage
	return func(w http.ResponseWriter, r *http.Request) {
		in, sub, err := s.lookup(w, r, f)
		if err != nil {
			// On the page the message form shows only after a lookup, so a
			// receipt problem is shown on the lookup form.
			s.fail(w, r, s.spec.FollowUp, in, err)
			return
		}
		clean, err := s.validate.Validate(f, in)
		var fe *formsvc.Error
		if errors.As(err, &fe) && !wantsJSON(r) {
			if fu, ferr := s.followUpOf(r.Context(), sub); ferr == nil {
				if doc, perr := s.pages.followUp(s.spec, in.Get("receipt"), fu, false); perr == nil && fillErrors(doc, f, in, fe.Fields) == nil {
					s.pages.write(w, StatusOf(fe.Code), doc)
					return
				}
			}
		}
		if err != nil {
			s.fail(w, r, f, in, err)
			return
		}
		m := &formsvc.Message{Author: formsvc.AuthorReporter, Body: clean.Text["message"], CreatedAt: s.now()}
		if dup, err := s.sentAlready(r.Context(), sub, m); err != nil || dup {
			if err != nil {
				s.fail(w, r, f, in, err)
				return
			}
			// A reload or a second click: the message is there already.
			s.logNote(r, "lời nhắn gửi lại: không lưu lần nữa", "kind", sub.Kind)
		} else if err := s.store.AddMessage(r.Context(), sub, m); err != nil {
			s.log.Error("không lưu được lời nhắn", "err", err)
			s.fail(w, r, f, in, err)
			return
		}
		s.logNote(r, "đã nhận lời nhắn bổ sung", "kind", sub.Kind)
		if wantsJSON(r) {
			writeJSON(w, http.StatusCreated, map[string]string{"status": "received"})
			return
		}
		fu, err := s.followUpOf(r.Context(), sub)
		if err != nil {
			s.fail(w, r, f, in, err)
			return
		}
		s.followUpPage(w, r, http.StatusCreated, f, in, fu, true)
	}
}

// lookup decodes a body holding a receipt and finds its submission. An
// unknown receipt is a field error on "receipt", so the form shows it.
func (s *Server) lookup(w http.ResponseWriter, r *http.Request, f *formsvc.Form) (formsvc.Values, *formsvc.Submission, error) {
	in, _, err := decodeBody(w, r, f)
	if err != nil {
		return nil, nil, err
	}
	fd := f.Field("receipt")
	receipt, ok := formsvc.ParseReceipt(in.Get("receipt"))
	if !ok {
		msg := "Mã biên nhận gồm 16 chữ số, ví dụ 1234-5678-9012-3456."
		if in.Get("receipt") == "" {
			msg = "Vui lòng nhập " + fd.Noun + "."
		}
		return in, nil, &formsvc.Error{Code: formsvc.EINVALID, Message: formsvc.MsgInvalid, Fields: map[string]string{"receipt": msg}}
	}
	accept(r) // a lookup made, found or not: this is what bounds guessing
	sub, err := s.store.SubmissionByReceipt(r.Context(), s.hasher.Hash(receipt))
	if formsvc.ErrorCode(err) == formsvc.ENOTFOUND {
		return in, nil, &formsvc.Error{Code: formsvc.ENOTFOUND, Message: "Không tìm thấy mã biên nhận này.",
			Fields: map[string]string{"receipt": "Không tìm thấy mã biên nhận này. Hãy kiểm tra lại từng chữ số."}}
	}
	if err != nil {
		s.log.Error("không tra cứu được", "err", err)
		return in, nil, err
	}
	return in, sub, nil
}

// sentAlready reports whether the reporter sent the same words on sub in
// the last plainSpan: a reload of the page that answered a plain post, or
// a double click, must not add the message twice.
func (s *Server) sentAlready(ctx context.Context, sub *formsvc.Submission, m *formsvc.Message) (bool, error) {
	msgs, err := s.store.Messages(ctx, sub)
	if err != nil {
		return false, err
	}
	for _, old := range msgs {
		if old.Author == formsvc.AuthorReporter && old.Body == m.Body && m.CreatedAt.Sub(old.CreatedAt) < plainSpan {
			return true, nil
		}
	}
	return false, nil
}

func (s *Server) followUpOf(ctx context.Context, sub *formsvc.Submission) (*followUp, error) {
	msgs, err := s.store.Messages(ctx, sub)
	if err != nil {
		return nil, err
	}
	d := s.spec.Kind(sub.Kind)
	fu := &followUp{Kind: sub.Kind, KindLabel: d.Label, Status: sub.Status,
		StatusLabel: d.PublicLabel(sub.Status), Messages: []followUpMessage{}}
	for _, m := range msgs {
		from := "you"
		if m.Author == formsvc.AuthorOfficer {
			from = "officer"
		}
		fu.Messages = append(fu.Messages, followUpMessage{From: from, Body: m.Body, At: m.CreatedAt.In(formsvc.Vietnam)})
	}
	return fu, nil
}

func (s *Server) followUpPage(w http.ResponseWriter, r *http.Request, status int, f *formsvc.Form, in formsvc.Values, fu *followUp, sent bool) {
	doc, err := s.pages.followUp(s.spec, in.Get("receipt"), fu, sent)
	if err != nil {
		s.log.Error("không mở được trang tra cứu", "err", err)
		s.errorPage(w, http.StatusInternalServerError, formsvc.MsgInternal, f)
		return
	}
	s.pages.write(w, status, doc)
}
