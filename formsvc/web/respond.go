package web

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"strings"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// StatusOf maps an error code to its HTTP status: the one map, for the
// public API and the officers' console alike.
func StatusOf(code string) int {
	switch code {
	case formsvc.EINVALID:
		return http.StatusUnprocessableEntity
	case formsvc.EMALFORMED:
		return http.StatusBadRequest
	case formsvc.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case formsvc.EUNSUPPORTED:
		return http.StatusUnsupportedMediaType
	case formsvc.ETOOMANY:
		return http.StatusTooManyRequests
	case formsvc.ENOTFOUND:
		return http.StatusNotFound
	case formsvc.EFORBIDDEN:
		return http.StatusForbidden
	case formsvc.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	case formsvc.ECHALLENGE:
		return http.StatusPreconditionRequired
	case formsvc.ECONFLICT:
		return http.StatusConflict
	}
	return http.StatusInternalServerError
}

// jsonCode is the "error" member of a JSON error body; the contract names
// a failed validation "validation".
func jsonCode(code string) string {
	if code == formsvc.EINVALID {
		return "validation"
	}
	return code
}

// wantsJSON: a client that sends JSON or asks for it gets JSON; a plain
// HTML form post gets a page.
func wantsJSON(r *http.Request) bool {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "application/json" {
		return true
	}
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		if mt, _, _ := mime.ParseMediaType(strings.TrimSpace(part)); mt == "application/json" {
			return true
		}
	}
	return false
}

// receiptBody answers an accepted submission.
type receiptBody struct {
	Receipt string         `json:"receipt"`
	Status  formsvc.Status `json:"status"`
}

type errorBody struct {
	Error   string            `json:"error"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
	// Challenge is the proof-of-work challenge to solve (428 only).
	Challenge *Challenge `json:"challenge,omitempty"`
}

// retryAfter is the wait a 429 or 503 answer asks for, unless the
// limiter that refused already said.
func retryAfter(w http.ResponseWriter, status int) {
	if (status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable) && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", "60")
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	retryAfter(w, status)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (s *Server) errorJSON(w http.ResponseWriter, err error) {
	code := formsvc.ErrorCode(err)
	body := errorBody{Error: jsonCode(code), Message: formsvc.ErrorMessage(err)}
	var fe *formsvc.Error
	if errors.As(err, &fe) {
		body.Fields = fe.Fields
	}
	writeJSON(w, StatusOf(code), body)
}

// fail answers a failed submission: JSON, or for a plain form post the
// form page again with the messages and the answers kept (422), or the
// site's error page.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, f *formsvc.Form, in formsvc.Values, err error) {
	if wantsJSON(r) {
		s.errorJSON(w, err)
		return
	}
	code := formsvc.ErrorCode(err)
	var fe *formsvc.Error
	if errors.As(err, &fe) && len(fe.Fields) > 0 && f.Page != "" {
		if doc, perr := s.pages.formWithErrors(f, in, fe.Fields); perr == nil {
			s.pages.write(w, StatusOf(code), doc)
			return
		} else {
			s.log.Error("không mở được trang biểu mẫu", "page", f.Page, "err", perr)
		}
	}
	s.errorPage(w, StatusOf(code), formsvc.ErrorMessage(err), f)
}

// errorPage renders the site's error page with a message.
func (s *Server) errorPage(w http.ResponseWriter, status int, msg string, f *formsvc.Form) {
	doc, err := s.pages.errorPage(msg, f)
	if err != nil {
		s.log.Error("không mở được trang lỗi", "err", err)
		retryAfter(w, status)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		w.Write([]byte(msg + "\n"))
		return
	}
	s.pages.write(w, status, doc)
}

// succeed answers an accepted submission with its receipt, shown once:
// as JSON, or for a plain form post through the receipt page (see
// redirectToReceipt), so that a reload cannot post again.
func (s *Server) succeed(w http.ResponseWriter, r *http.Request, f *formsvc.Form, receipt formsvc.Receipt) {
	if wantsJSON(r) {
		writeJSON(w, http.StatusCreated, receiptBody{Receipt: receipt.String(), Status: formsvc.StatusReceived})
		return
	}
	s.redirectToReceipt(w, r, f, receipt)
}
