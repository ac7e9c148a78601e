package alert

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// What an alert says. A fixed subject for each type, counts, and the
// console's address: never a record's category, place, text, photos,
// receipt or reference. Every body is padded to EmailBodySize bytes and
// sent base64-encoded, whose length follows from the byte count alone, so
// two mails of one type are the same size whatever their counts and
// whichever kinds the officer works; webhook bodies likewise.

// EmailBodySize is the size in bytes of every alert mail's body.
const EmailBodySize = 2048

// WebhookBodySize is the size in bytes of every webhook body.
const WebhookBodySize = 160

// MaxConsoleURLLen bounds the console's address, so that the longest
// body still fits EmailBodySize.
const MaxConsoleURLLen = 200

// vietnam is Asia/Ho_Chi_Minh: UTC+7 all year, no summer time since 1975.
// A fixed zone needs no time zone database on the server.
var vietnam = time.FixedZone("ICT", 7*60*60)

// Subjects of the mails: one per type, never anything else.
var subjects = map[formsvc.AlertType]string{
	formsvc.AlertNew:     "Bàn làm việc cán bộ: có hồ sơ mới",
	formsvc.AlertReply:   "Bàn làm việc cán bộ: có lời nhắn mới",
	formsvc.AlertOverdue: "Bàn làm việc cán bộ: có hồ sơ quá hạn",
	formsvc.AlertDigest:  "Bàn làm việc cán bộ: tóm tắt hằng ngày",
}

// Subject is the fixed subject of an alert mail of type t.
func Subject(t formsvc.AlertType) string { return subjects[t] }

// Text is what the mails say around the counts.
type Text struct {
	ConsoleURL   string        // the console's address, ending in /
	OverdueAfter time.Duration // named in overdue alerts
	// Spec names the kinds and statuses (nil: the binary's own,
	// formsvc.DefaultSpec).
	Spec *formsvc.Spec
}

// spec is x.Spec, or the binary's own.
func (x Text) spec() *formsvc.Spec {
	if x.Spec != nil {
		return x.Spec
	}
	spec, _ := formsvc.DefaultSpec()
	return spec
}

// kind is the definition of kind k.
func (x Text) kind(k formsvc.Kind) *formsvc.KindDef {
	if d := x.spec().Kind(k); d != nil {
		return d
	}
	return &formsvc.KindDef{Kind: k, Label: string(k)}
}

// Body is the text of an alert mail of type t, padded to EmailBodySize.
// The only variable parts are the counts (and a digest's date).
func (x Text) Body(t formsvc.AlertType, d formsvc.AlertData) string {
	var b strings.Builder
	switch t {
	case formsvc.AlertNew:
		b.WriteString("Có hồ sơ mới trên bàn làm việc cán bộ từ lần báo trước:\n\n")
		for _, c := range d.Counts {
			fmt.Fprintf(&b, "- %s: %s\n", x.kind(c.Kind).Label, count(c.N))
		}
	case formsvc.AlertReply:
		b.WriteString("Người gửi vừa nhắn thêm vào hồ sơ được giao cho anh/chị:\n\n")
		for _, c := range d.Counts {
			fmt.Fprintf(&b, "- %s: %s lời nhắn mới\n", x.kind(c.Kind).Label, count(c.N))
		}
	case formsvc.AlertOverdue:
		fmt.Fprintf(&b, "Có hồ sơ vừa quá hạn (đang mở mà %s không có thao tác nào):\n\n", Duration(x.OverdueAfter))
		for _, c := range d.Counts {
			fmt.Fprintf(&b, "- %s: %s\n", x.kind(c.Kind).Label, count(c.N))
		}
	case formsvc.AlertDigest:
		fmt.Fprintf(&b, "Tóm tắt hằng ngày của bàn làm việc cán bộ, lúc %s.\n", formsvc.DateTime(d.At))
		for _, k := range d.Digest {
			fmt.Fprintf(&b, "\n%s\n- Đang mở: %s", x.kind(k.Kind).Label, count(k.OpenTotal()))
			var parts []string
			for _, s := range k.Open {
				parts = append(parts, x.kind(k.Kind).OfficerLabel(s.Status)+": "+count(s.N))
			}
			fmt.Fprintf(&b, " (%s)\n", strings.Join(parts, "; "))
			fmt.Fprintf(&b, "- Nhận trong 24 giờ qua: %s\n- Quá hạn: %s\n", count(k.New), count(k.Overdue))
		}
	}
	fmt.Fprintf(&b, "\nĐăng nhập để xem: %s\n", x.ConsoleURL)
	b.WriteString("\nThư này được gửi tự động và cố ý không ghi nội dung, loại việc, nơi chốn hay mã của hồ sơ nào.\n")
	fmt.Fprintf(&b, "Xin đừng trả lời thư này. Chọn loại thông báo muốn nhận ở trang Tài khoản của tôi: %saccount\n", x.ConsoleURL)
	return pad(b.String(), EmailBodySize)
}

// pad fills s with spaces after a last line break up to size bytes. A
// longer s (which the tests show cannot happen) is returned as it is.
func pad(s string, size int) string {
	if len(s)+1 >= size {
		return s
	}
	return s + "\n" + strings.Repeat(" ", size-len(s)-1)
}

// count writes a count with Vietnamese thousands separators (1.234).
func count(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Duration says a duration in Vietnamese: "3 ngày", "36 giờ", "90 phút".
func Duration(d time.Duration) string {
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		return strconv.Itoa(int(d/(24*time.Hour))) + " ngày"
	case d >= time.Hour && d%time.Hour == 0:
		return strconv.Itoa(int(d/time.Hour)) + " giờ"
	default:
		return strconv.Itoa(int(d.Round(time.Minute)/time.Minute)) + " phút"
	}
}

// Webhook events by alert type.
var events = map[formsvc.AlertType]string{
	formsvc.AlertNew:     "new_cases",
	formsvc.AlertReply:   "reply",
	formsvc.AlertOverdue: "overdue",
	formsvc.AlertDigest:  "digest",
}

// Event is a webhook body: what happened, to which kind, how many (a
// digest: the open records of the kind), and when (RFC 3339, Vietnam's
// time).
type Event struct {
	Event string       `json:"event"`
	Kind  formsvc.Kind `json:"kind"`
	Count int          `json:"count"`
	At    string       `json:"at"`
}

// WebhookBody is the JSON of an alert to the webhook for kind k, padded
// with spaces (which JSON ignores) to WebhookBodySize bytes.
func WebhookBody(t formsvc.AlertType, k formsvc.Kind, d formsvc.AlertData) []byte {
	n := 0
	for _, c := range d.Counts {
		if c.Kind == k {
			n += c.N
		}
	}
	for _, c := range d.Digest {
		if c.Kind == k {
			n += c.OpenTotal()
		}
	}
	b, _ := json.Marshal(Event{Event: events[t], Kind: k, Count: n, At: d.At.In(vietnam).Format(time.RFC3339)})
	if len(b) < WebhookBodySize {
		b = append(b, bytes.Repeat([]byte(" "), WebhookBodySize-len(b))...)
	}
	return b
}

// SignatureHeader carries the webhook body's signature.
const SignatureHeader = "X-Formsvc-Signature"

// Sign is the signature of a webhook body: "sha256=" and the hex HMAC-SHA-256
// of the exact bytes of the body under the shared secret.
func Sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify reports whether sig is body's signature under secret, in constant
// time: what a receiver written in Go does (see the README).
func Verify(secret, body []byte, sig string) bool {
	return hmac.Equal([]byte(sig), []byte(Sign(secret, body)))
}
