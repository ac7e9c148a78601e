package formsvc

import (
	"errors"
	"fmt"
)

// Error codes: each maps to one HTTP status in the web layer.
const (
	EINVALID     = "invalid"     // 422: a field broke a rule
	EMALFORMED   = "malformed"   // 400: the body could not be read
	ETOOLARGE    = "too_large"   // 413
	EUNSUPPORTED = "unsupported" // 415
	ETOOMANY     = "too_many"    // 429
	ENOTFOUND    = "not_found"   // 404
	EFORBIDDEN   = "forbidden"   // 403
	EINTERNAL    = "internal"    // 500
	EUNAVAILABLE = "unavailable" // 503
	ECHALLENGE   = "challenge"   // 428: answer the proof-of-work challenge first
	ECONFLICT    = "conflict"    // 409: the record changed since it was read
)

// Vietnamese messages shown to the public.
const (
	MsgInvalid     = "Có thông tin chưa đúng. Vui lòng xem lại các ô được đánh dấu."
	MsgMalformed   = "Không đọc được nội dung gửi lên. Vui lòng tải lại trang và gửi lại."
	MsgTooLarge    = "Nội dung gửi lên quá lớn." // Form.TooLargeMessage adds the form's photo limits
	MsgUnsupported = "Kiểu dữ liệu gửi lên không được hỗ trợ. Hãy gửi từ biểu mẫu trên trang web."
	MsgTooMany     = "Bạn đã gửi quá nhiều lần trong thời gian ngắn. Vui lòng đợi ít phút rồi thử lại."
	MsgNotFound    = "Không tìm thấy trang bạn cần."
	MsgForbidden   = "Biểu mẫu này được gửi từ một trang web khác nên không được nhận. Hãy gửi từ trang của xã."
	MsgInternal    = "Hệ thống đang gặp sự cố nên chưa lưu được. Vui lòng thử lại sau ít phút, hoặc gọi đường dây nóng."
	MsgUnavailable = "Hệ thống đang tạm ngừng để bảo trì. Vui lòng thử lại sau."
	MsgBusy        = "Hệ thống đang nhận quá nhiều bài gửi cùng lúc nên chưa nhận thêm được. Vui lòng gửi lại sau vài phút (nếu trang đã đổi, bấm Quay lại trên trình duyệt: nội dung bạn viết thường vẫn còn ở đó), hoặc gọi đường dây nóng nếu việc gấp."
	MsgChallenge   = "Hệ thống đang bận. Trình duyệt cần làm một phép tính ngắn để chứng tỏ đây là người gửi thật; vui lòng gửi lại."
)

// Error is the one error type that crosses layers: a code, a message that
// is safe to show to the public, and per-field messages for EINVALID.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
}

func (e *Error) Error() string {
	return fmt.Sprintf("formsvc error: code=%s message=%s", e.Code, e.Message)
}

// Errorf makes an *Error with a public message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of an *Error in err's chain, or EINTERNAL.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the public message of an *Error in err's chain, or
// the generic internal message: internal details never reach the public.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return MsgInternal
}
