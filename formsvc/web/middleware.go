package web

import (
	"context"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// ContentSecurityPolicy allows only the site's own scripts, styles and
// images: no inline code, no other host.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"

// securityHeaders sets the same headers that netlify.toml sets for the
// static site, so pages served by the service are as safe. The public
// pages go without Cross-Origin-Opener-Policy (see isolate).
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

// isolate puts the pages that hold something worth reaching for (a
// receipt shown after a plain form post, the officers' console) in a
// browsing context group of their own: a page that opened them loses its
// window handle, so it can neither navigate them to a look-alike nor probe
// them. The public pages, which hold no secret, go without: on a phone,
// COOP costs every first visit a fresh renderer process (a quarter to a
// half second of start-up work on a slowed phone's main thread, the whole
// of the public pages' lost Lighthouse points, docs/BENCHMARKS.md).
func isolate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cross-Origin-Opener-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// compressor gzips the text types the site and the console send.
var compressor = middleware.NewCompressor(5, "text/html", "text/css", "text/javascript", "application/javascript",
	"application/json", "application/ld+json", "image/svg+xml", "text/plain", "application/xml")

// compress gzips answers for clients that accept it, except the API's JSON
// answers: a receipt answer is some 60 bytes, which gzip makes larger, and
// a deflate writer for each one costs CPU and memory (with every API
// answer gzipped, the service's peak memory under load went from 78 MiB to
// 279 MiB, docs/BENCHMARKS.md). Pages, including the ones the API answers
// plain form posts with, are still compressed.
func compress(next http.Handler) http.Handler {
	zipped := compressor.Handler(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/") && wantsJSON(r) {
			next.ServeHTTP(w, r)
			return
		}
		zipped.ServeHTTP(w, r)
	})
}

// noStore keeps API answers out of every cache and every search engine: a
// receipt must not linger. (The pages the API fills in, a confirmation or
// an error, are built as plain pages with no robots tag of their own.)
func noStore(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Robots-Tag", "noindex")
		next.ServeHTTP(w, r)
	})
}

// requestLog logs one line per request: method, route pattern, status,
// size and duration, and what the handler added with logNote. Never the
// client's address, user agent, referrer, query string, body or a receipt.
func (s *Server) requestLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		line := &logLine{msg: "yêu cầu"}
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		next.ServeHTTP(ww, r.WithContext(context.WithValue(r.Context(), logLineKey{}, line)))
		route := ""
		if rc := chi.RouteContext(r.Context()); rc != nil {
			route = rc.RoutePattern()
		}
		s.log.Info(line.msg, append([]any{"method", r.Method, "route", route, "status", ww.Status(),
			"bytes", ww.BytesWritten(), "ms", time.Since(start).Milliseconds()}, line.attrs...)...)
	})
}

// logLine is the request's log line while the request is handled.
type logLine struct {
	msg   string
	attrs []any
}

type logLineKey struct{}

// logNote gives the request's log line a message and more attributes, so
// that a request makes one line (one write) however much it has to say;
// without requestLog around the handler, it logs a line of its own.
func (s *Server) logNote(r *http.Request, msg string, attrs ...any) {
	if l, ok := r.Context().Value(logLineKey{}).(*logLine); ok {
		l.msg = msg
		l.attrs = append(l.attrs, attrs...)
		return
	}
	s.log.Info(msg, attrs...)
}

// recoverer turns a panic into a 500 with the public message, as JSON or
// as the site's error page for a plain form post; the stack goes to the
// log, the request's content does not.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("lỗi không lường trước", "panic", v, "stack", string(debug.Stack()))
				if wantsJSON(r) {
					s.errorJSON(w, formsvc.Errorf(formsvc.EINTERNAL, formsvc.MsgInternal))
					return
				}
				s.errorPage(w, http.StatusInternalServerError, formsvc.MsgInternal, nil)
			}
		}()
		next.ServeHTTP(w, r)
	})
}
