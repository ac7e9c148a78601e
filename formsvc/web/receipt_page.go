package web

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// A plain form post that stored a submission answers 303 See Other to
// /api/v1/receipts/{token}, and that page shows the receipt (post,
// redirect, get): reloading it, or going Back and Forward, never posts
// again. The token is random, good once and for receiptPageLife, and is
// not the receipt, so the receipt is still in no address and no log
// line. The receipt waits in this process's memory only until then.
const (
	receiptPageLife = 10 * time.Minute
	receiptPageMax  = 10_000 // waiting pages at most (some 200 bytes each)
)

type shownEntry struct {
	receipt formsvc.Receipt
	form    *formsvc.Form
	expires time.Time
}

// receiptPages holds the receipts waiting to be shown, by token.
type receiptPages struct {
	mu      sync.Mutex
	entries map[string]shownEntry
}

func (p *receiptPages) put(f *formsvc.Form, r formsvc.Receipt, now time.Time) string {
	b := make([]byte, 16)
	rand.Read(b)
	token := hex.EncodeToString(b)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.entries == nil {
		p.entries = map[string]shownEntry{}
	}
	if len(p.entries) >= receiptPageMax {
		for k, e := range p.entries {
			if now.After(e.expires) || len(p.entries) >= receiptPageMax {
				delete(p.entries, k)
			}
		}
	}
	p.entries[token] = shownEntry{receipt: r, form: f, expires: now.Add(receiptPageLife)}
	return token
}

// take returns the entry of token once.
func (p *receiptPages) take(token string, now time.Time) (shownEntry, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e, ok := p.entries[token]
	delete(p.entries, token)
	return e, ok && !now.After(e.expires)
}

// MsgReceiptShown is the page for a receipt page opened again.
const MsgReceiptShown = "Mã biên nhận chỉ hiện một lần, ngay sau khi gửi, để người khác dùng máy này sau bạn không xem được. " +
	"Nội dung bạn gửi đã được lưu; tải lại trang không gửi thêm lần nữa. Nếu chưa kịp ghi lại mã, bạn có thể gửi lại tin, hoặc gọi đường dây nóng."

// redirectToReceipt answers a plain form post that was accepted.
func (s *Server) redirectToReceipt(w http.ResponseWriter, r *http.Request, f *formsvc.Form, receipt formsvc.Receipt) {
	token := s.shown.put(f, receipt, s.now())
	http.Redirect(w, r, "/api/v1/receipts/"+token, http.StatusSeeOther)
}

// handleReceiptPage shows a receipt once.
func (s *Server) handleReceiptPage() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		e, ok := s.shown.take(chi.URLParam(r, "token"), s.now())
		if !ok {
			s.errorPage(w, http.StatusGone, MsgReceiptShown, nil)
			return
		}
		doc, err := s.pages.confirmation(e.form, e.receipt)
		if err != nil {
			s.log.Error("không mở được trang xác nhận", "page", e.form.Page, "err", err)
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Write([]byte("Đã nhận. Mã biên nhận của bạn: " + e.receipt.String() + "\n"))
			return
		}
		s.pages.write(w, http.StatusOK, doc)
	}
}
