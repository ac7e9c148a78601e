package web

import (
	"context"
	"net/http"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// handleHealth answers 200 when the database answers a query and writes
// commit, 503 if not (the store's Ping: under traffic it judges by the
// last commit; otherwise it probes the writer at most once a second).
func (s *Server) handleHealth() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.store.Ping(ctx); err != nil {
			s.log.Error("kiểm tra sức khỏe: cơ sở dữ liệu không đọc hoặc không ghi được", "err", err)
			msg := formsvc.MsgUnavailable
			if formsvc.ErrorCode(err) == formsvc.EUNAVAILABLE {
				msg = formsvc.ErrorMessage(err)
			}
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "message": msg})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	}
}
