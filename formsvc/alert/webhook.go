package alert

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// MinWebhookSecret is the shortest --alert-webhook-secret accepted.
const MinWebhookSecret = 32

// CheckWebhookURL refuses a webhook address that is not https, unless it is
// on this machine (a bridge running beside the service).
func CheckWebhookURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil {
		return fmt.Errorf("%q không phải địa chỉ web, ví dụ https://cau-noi.example/formsvc", raw)
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && Loopback(u.Hostname()):
	default:
		return fmt.Errorf("%q: cần https:// (http:// chỉ được dùng với máy này, 127.0.0.1 hoặc localhost)", raw)
	}
	return nil
}

// Webhook posts signed alert events to one address.
type Webhook struct {
	url    string
	secret []byte
	client *http.Client
}

// NewWebhook makes a Webhook; client nil: one with a 15-second timeout
// that follows no redirect.
func NewWebhook(rawURL string, secret []byte, client *http.Client) (*Webhook, error) {
	if err := CheckWebhookURL(rawURL); err != nil {
		return nil, err
	}
	if len(secret) < MinWebhookSecret {
		return nil, fmt.Errorf("bí mật của webhook quá ngắn (%d byte): cần ít nhất %d byte ngẫu nhiên, ví dụ tạo bằng: openssl rand -hex 32",
			len(secret), MinWebhookSecret)
	}
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	return &Webhook{url: rawURL, secret: secret, client: client}, nil
}

// Send posts body with its signature; any answer but 2xx is a failure.
func (h *Webhook) Send(ctx context.Context, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "formsvc-alerts")
	req.Header.Set(SignatureHeader, Sign(h.secret, body))
	res, err := h.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the address is known; keep the reason
		}
		return fmt.Errorf("không gửi được tới webhook: %w", err)
	}
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	res.Body.Close()
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("webhook trả lời %s", res.Status)
	}
	return nil
}
