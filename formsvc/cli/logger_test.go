package cli

import (
	"bytes"
	"regexp"
	"testing"
)

// TestLogTimesToTheMinute: log lines carry no seconds, so they cannot be
// lined up with a proxy's access log to the millisecond.
func TestLogTimesToTheMinute(t *testing.T) {
	var buf bytes.Buffer
	newLogger(&buf).Info("đã nhận bài gửi", "kind", "tip")
	if !regexp.MustCompile(`^time=\d{4}-\d\d-\d\dT\d\d:\d\dZ level=INFO`).Match(buf.Bytes()) {
		t.Errorf("log line = %q, want its time to the minute", buf.String())
	}
}
