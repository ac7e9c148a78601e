package web

import (
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path"
	"strings"
)

// handleStatic serves the built site. A folder is served only through its
// index.html (no listings); a missing page gets the site's 404 page.
// Fingerprinted assets are cached for a year, pages revalidated.
func (s *Server) handleStatic() http.HandlerFunc {
	fsys := os.DirFS(s.siteDir)
	return func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
		if name == "" {
			name = "."
		}
		// No dotfile or dot folder (.git, .env) is ever served.
		if hidden(name) {
			s.notFound(w, fsys, nil)
			return
		}
		fi, err := fs.Stat(fsys, name)
		if err == nil && fi.IsDir() {
			if !strings.HasSuffix(r.URL.Path, "/") {
				// To the cleaned path on this site only: the raw one can
				// begin with "//", which a browser reads as another host.
				http.Redirect(w, r, "/"+strings.TrimPrefix(name+"/", "./"), http.StatusMovedPermanently)
				return
			}
			name = path.Join(name, "index.html")
			fi, err = fs.Stat(fsys, name)
		}
		if err != nil || fi.IsDir() {
			s.notFound(w, fsys, err)
			return
		}
		if isFingerprinted(name) {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		http.ServeFileFS(w, r, fsys, name)
	}
}

// hidden reports whether any part of a cleaned path starts with a dot.
func hidden(name string) bool {
	for _, part := range strings.Split(name, "/") {
		if strings.HasPrefix(part, ".") && part != "." {
			return true
		}
	}
	return false
}

func (s *Server) notFound(w http.ResponseWriter, fsys fs.FS, err error) {
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		s.log.Error("không đọc được tệp của trang web", "err", err)
	}
	body, rerr := fs.ReadFile(fsys, "404.html")
	w.Header().Set("Cache-Control", "no-cache")
	if rerr != nil {
		http.Error(w, "Không tìm thấy trang.", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusNotFound)
	w.Write(body)
}

// isFingerprinted reports whether a file name carries Hugo's content hash
// (name.<64 hex>.ext), so it can be cached for ever.
func isFingerprinted(name string) bool {
	parts := strings.Split(path.Base(name), ".")
	if len(parts) < 3 {
		return false
	}
	h := parts[len(parts)-2]
	if len(h) < 32 {
		return false
	}
	for _, c := range h {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}
