package web

import (
	"context"
	"net/http"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// handleHealth answers 200 when the database answers a query, 503 if not.
func (s *Server) handleHealth() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.store.Ping(ctx); err != nil {
			s.log.Error("kiểm tra sức khỏe: cơ sở dữ liệu không trả lời", "err", err)
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "message": formsvc.MsgUnavailable})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	}
}
