package console

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/justinas/nosurf"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/web"
)

type pageTemplate struct{ t *template.Template }

// view is what every page template gets.
type view struct {
	Title   string
	Officer *formsvc.Officer
	CSRF    string
	Flash   string
	Nav     string // the current section, for aria-current
	Data    any
	Alerts  any        // the alert settings' part of the page, if any (alerts.go)
	Errors  formErrors // a refused form's problems (formerrors.go)
}

type errorData struct{ Message string }

// funcs are the templates' functions; spec names kinds and statuses.
func funcs(spec *formsvc.Spec) template.FuncMap {
	return template.FuncMap{
		"date":         formsvc.DateTime,
		"day":          formsvc.Date,
		"iso":          func(t time.Time) string { return t.Format(time.RFC3339) },
		"statusLabel":  func(k formsvc.Kind, s formsvc.Status) string { return spec.Kind(k).OfficerLabel(s) },
		"publicStatus": func(k formsvc.Kind, s formsvc.Status) string { return spec.Kind(k).PublicLabel(s) },
		"kindLabel":    func(k formsvc.Kind) string { return spec.Kind(k).Label },
		"roleLabel":    func(r formsvc.Role) string { return formsvc.RoleLabels[r] },
		"auditLabel":   func(a string) string { return or(formsvc.AuditLabels[a], a) },
		"add":          func(a, b int) int { return a + b },
		"fieldAttrs":   fieldAttrs,
		"join":         strings.Join,
		"lower":        strings.ToLower,
		"seq": func(n int) []int {
			out := make([]int, n)
			for i := range out {
				out[i] = i + 1
			}
			return out
		},
		"yesno": func(b bool) string {
			if b {
				return "Có"
			}
			return "Không"
		},
	}
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func mustParsePages(spec *formsvc.Spec) map[string]*pageTemplate {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	pages := map[string]*pageTemplate{}
	for _, n := range names {
		name := strings.TrimSuffix(path.Base(n), ".html")
		if name == "layout" {
			continue
		}
		t := template.Must(template.New(name).Funcs(funcs(spec)).ParseFS(templateFS, "templates/layout.html", "templates/partials/*.html", n))
		pages[name] = &pageTemplate{t: t}
	}
	return pages
}

// render writes a page in the console's layout. It renders into a buffer
// first, so a template error becomes a clean 500, not half a page.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, name, title string, data any) {
	c.refuse(w, r, status, name, title, data, nil)
}

// refuse renders a page whose form was refused, with errs in its error
// summary and beside the fields (formerrors.go); status is 422 or what
// the refusal means.
func (c *Console) refuse(w http.ResponseWriter, r *http.Request, status int, name, title string, data any, errs formErrors) {
	p, ok := c.pages[name]
	if !ok {
		panic(fmt.Sprintf("console: no template %q", name))
	}
	v := view{Title: title, Officer: officerFrom(r.Context()), CSRF: nosurf.Token(r), Data: data,
		Flash: c.sessions.PopString(r.Context(), "flash"), Nav: name, Alerts: c.alertView(r, name), Errors: errs}
	var buf bytes.Buffer
	if err := p.t.ExecuteTemplate(&buf, "layout", v); err != nil {
		c.log.Error("không dựng được trang", "page", name, "err", err)
		http.Error(w, formsvc.MsgInternal, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fail shows an error page for err: not found for records a role may not
// see, the public message otherwise.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := web.StatusOf(formsvc.ErrorCode(err))
	if status == http.StatusInternalServerError {
		c.log.Error("lỗi ở bàn làm việc", "err", err)
	}
	if status == http.StatusServiceUnavailable || status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "60")
	}
	c.render(w, r, status, "error", "Không thực hiện được", errorData{Message: formsvc.ErrorMessage(err)})
}

// flash sets a message for the next page and redirects there (303).
func (c *Console) flash(w http.ResponseWriter, r *http.Request, to, msg string) {
	c.sessions.Put(r.Context(), "flash", msg)
	http.Redirect(w, r, to, http.StatusSeeOther)
}
