package web

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// A plain form post that stored a submission answers 303 See Other to
// /api/v1/receipts/{token}, and that page shows the receipt (post,
// redirect, get): reloading it, or going Back and Forward, never posts
// again. The token is the receipt, its form and an expiry sealed with the
// service's key (Keys.Seal), so that any instance with the key file can
// open it and none stores the receipt; it is good once (its hash is spent
// in the shared state) and for receiptPageLife. The receipt is in no
// address in clear and in no log line. One instance keeps spent tokens in
// its memory, so it refuses pages issued before it started: after a
// restart a page seen already cannot be seen again.
const receiptPageLife = 10 * time.Minute

// receiptPageAAD names the sealed token's place.
var receiptPageAAD = []byte("formsvc receipt page v1")

// sealReceiptPage makes the token of a receipt page.
func (s *Server) sealReceiptPage(f *formsvc.Form, r formsvc.Receipt) string {
	exp := s.now().Add(receiptPageLife).Unix()
	plain := strconv.FormatInt(exp, 10) + "|" + f.Action + "|" + string(r)
	return base64.RawURLEncoding.EncodeToString(s.keys.Seal([]byte(plain), receiptPageAAD))
}

// openReceiptPage opens a token and spends it: the form and receipt once,
// ok false for a token that is not one, has expired or was used. An error
// means the shared state could not tell.
func (s *Server) openReceiptPage(ctx context.Context, token string) (f *formsvc.Form, r formsvc.Receipt, ok bool, err error) {
	if len(token) > 512 {
		return nil, "", false, nil
	}
	sealed, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return nil, "", false, nil
	}
	plain, err := s.keys.Open(sealed, receiptPageAAD)
	if err != nil {
		return nil, "", false, nil
	}
	parts := strings.SplitN(string(plain), "|", 3)
	if len(parts) != 3 {
		return nil, "", false, nil
	}
	exp, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil || s.now().Unix() > exp || time.Unix(exp, 0).Add(-receiptPageLife).Before(s.pagesSince.Truncate(time.Second)) {
		return nil, "", false, nil
	}
	for _, form := range []*formsvc.Form{s.spec.Tip, s.spec.Support, s.spec.FollowUp, s.spec.FollowUpMessage} {
		if form.Action == parts[1] {
			f = form
		}
	}
	if f == nil {
		return nil, "", false, nil
	}
	first, err := s.shared.SpendOnce(ctx, sha256.Sum256([]byte("receipt-page\x00"+token)), time.Unix(exp, 0))
	if err != nil || !first {
		return nil, "", false, err
	}
	return f, formsvc.Receipt(parts[2]), true, nil
}

// MsgReceiptShown is the page for a receipt page opened again.
const MsgReceiptShown = "Mã biên nhận chỉ hiện một lần, ngay sau khi gửi, để người khác dùng máy này sau bạn không xem được. " +
	"Nội dung bạn gửi đã được lưu; tải lại trang không gửi thêm lần nữa. Nếu chưa kịp ghi lại mã, bạn có thể gửi lại tin, hoặc gọi đường dây nóng."

// redirectToReceipt answers a plain form post that was accepted.
func (s *Server) redirectToReceipt(w http.ResponseWriter, r *http.Request, f *formsvc.Form, receipt formsvc.Receipt) {
	token := s.sealReceiptPage(f, receipt)
	http.Redirect(w, r, "/api/v1/receipts/"+token, http.StatusSeeOther)
}

// handleReceiptPage shows a receipt once.
func (s *Server) handleReceiptPage() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		form, receipt, ok, err := s.openReceiptPage(r.Context(), chi.URLParam(r, "token"))
		if err != nil {
			s.log.Error("không kiểm được trang biên nhận", "err", err)
			s.errorPage(w, http.StatusServiceUnavailable, formsvc.MsgUnavailable, nil)
			return
		}
		if !ok {
			s.errorPage(w, http.StatusGone, MsgReceiptShown, nil)
			return
		}
		doc, err := s.pages.confirmation(form, receipt)
		if err != nil {
			s.log.Error("không mở được trang xác nhận", "page", form.Page, "err", err)
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Write([]byte("Đã nhận. Mã biên nhận của bạn: " + receipt.String() + "\n"))
			return
		}
		s.pages.write(w, http.StatusOK, doc)
	}
}
