package console

import (
	"mime"
	"net/http"
	"strings"
)

// maxBody bounds every request body the console reads: its longest form,
// a note or reply of 4,000 characters, is at most 36 KB urlencoded.
const maxBody = 64 << 10

// limitBody runs before anything reads a body (the CSRF check parses the
// form of a copy of the request, whose multipart temporary files the
// server would never remove): bodies are bounded, and only urlencoded
// forms are taken, since no console form sends files. What is refused is
// refused before login, sessions or CSRF are looked at.
func (c *Console) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if r.ContentLength != 0 && mt != "application/x-www-form-urlencoded" {
			c.log.Warn("bàn làm việc: từ chối kiểu dữ liệu", "multipart", strings.HasPrefix(mt, "multipart/"))
			c.render(w, r, http.StatusUnsupportedMediaType, "error", "Không thực hiện được",
				errorData{Message: "Bàn làm việc chỉ nhận biểu mẫu của chính nó. Vui lòng tải lại trang rồi thử lại."})
			return
		}
		if r.ContentLength > maxBody {
			c.render(w, r, http.StatusRequestEntityTooLarge, "error", "Không thực hiện được",
				errorData{Message: "Nội dung gửi lên quá lớn: ghi chú và lời nhắn tối đa 4000 ký tự."})
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		next.ServeHTTP(w, r)
	})
}
