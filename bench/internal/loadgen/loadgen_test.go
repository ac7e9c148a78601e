package loadgen

import (
	"encoding/json"
	"os"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	for _, c := range []struct {
		p    float64
		want time.Duration
	}{{50, 50 * time.Millisecond}, {99, 99 * time.Millisecond}, {100, 100 * time.Millisecond}, {0, time.Millisecond}} {
		if got := Percentile(ds, c.p); got != c.want {
			t.Errorf("Percentile(%v) = %v, want %v", c.p, got, c.want)
		}
	}
	if Percentile(nil, 50) != 0 {
		t.Errorf("Percentile of nothing is not 0")
	}
}

func TestReadMemoryAndCPUOfThisProcess(t *testing.T) {
	m, err := ReadMemory(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if m.RSS <= 0 || m.Peak < m.RSS {
		t.Errorf("memory = %+v, want 0 < RSS <= peak", m)
	}
	if _, err := CPUTime(os.Getpid()); err != nil {
		t.Error(err)
	}
	if _, err := TreeCPUTime(os.Getpid()); err != nil {
		t.Error(err)
	}
}

func TestTipBodyIsAValidTip(t *testing.T) {
	var m map[string]any
	if err := json.Unmarshal(TipBody(12), &m); err != nil {
		t.Fatal(err)
	}
	if m["category"] == "" || m["location"] == "" || len(m["description"].(string)) < 20 || m["website"] != "" {
		t.Errorf("tip = %v", m)
	}
}
