package web

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// Handler returns the whole service: every route is listed here.
func (s *Server) Handler() http.Handler {
	r := chi.NewRouter()
	r.Use(s.recoverer, securityHeaders, s.requestLog, s.clientIP)
	r.Use(compress)

	r.Get("/healthz", s.handleHealth())
	r.Head("/healthz", s.handleHealth())

	r.Route("/api/v1", func(r chi.Router) {
		r.Use(noStore, isolate, s.origins.Handler)
		r.Group(func(r chi.Router) {
			r.Use(s.submit.Handler)
			// One route per kind, where its form posts (/tips,
			// /support-requests): data/forms.yaml, kinds.
			for _, d := range s.spec.Kinds {
				r.Post(strings.TrimPrefix(d.Form.Action, "/api/v1"), s.handleSubmit(d))
			}
		})
		r.Group(func(r chi.Router) {
			// Attempts with receipts: bounded per client and for everyone,
			// so guessing a receipt is hopeless (see docs/BENCHMARKS.md).
			r.Use(s.followUp.Handler)
			r.Post("/follow-up", s.handleFollowUp())
			r.Post("/follow-up/messages", s.handleFollowUpMessage())
		})
		r.Get("/challenge", s.handleChallenge())
		r.Get("/receipts/{token}", s.handleReceiptPage())
		r.NotFound(func(w http.ResponseWriter, r *http.Request) {
			s.errorJSON(w, formsvc.Errorf(formsvc.ENOTFOUND, formsvc.MsgNotFound))
		})
	})

	if s.console != nil {
		r.With(isolate).Mount("/officer", s.console)
	}

	r.Get("/*", s.handleStatic())
	r.Head("/*", s.handleStatic())
	return r
}
