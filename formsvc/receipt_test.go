package formsvc_test

import (
	"bytes"
	"testing"

	"github.com/hoaphong/phongchongmaidam/data"
	"github.com/hoaphong/phongchongmaidam/formsvc"
)

func mustForms() []byte { return data.FormsYAML }

func TestNewReceipt(t *testing.T) {
	seen := map[formsvc.Receipt]bool{}
	for range 1000 {
		r := formsvc.NewReceipt()
		if len(r) != 16 {
			t.Fatalf("receipt %q has %d digits", r, len(r))
		}
		back, ok := formsvc.ParseReceipt(r.String())
		if !ok || back != r {
			t.Fatalf("ParseReceipt(%q) = %q, %v", r.String(), back, ok)
		}
		if seen[r] {
			t.Fatalf("receipt %q drawn twice in 1000 draws", r)
		}
		seen[r] = true
	}
}

func TestParseReceipt(t *testing.T) {
	tests := []struct {
		in   string
		want formsvc.Receipt
		ok   bool
	}{
		{"1234-5678-9012-3456", "1234567890123456", true},
		{" 1234 5678 9012 3456 ", "1234567890123456", true},
		{"1234567890123456", "1234567890123456", true},
		{"0000-0000-0000-0000", "0000000000000000", true},
		{"1234-5678-9012-345", "", false},
		{"1234-5678-9012-34567", "", false},
		{"1234-5678-9012-345a", "", false},
		{"١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦", "", false}, // other scripts' digits
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := formsvc.ParseReceipt(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseReceipt(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestReceiptHashIsKeyed(t *testing.T) {
	r := formsvc.Receipt("1234567890123456")
	a := formsvc.NewReceiptHasher(bytes.Repeat([]byte{1}, 32)).Hash(r)
	b := formsvc.NewReceiptHasher(bytes.Repeat([]byte{2}, 32)).Hash(r)
	if bytes.Equal(a, b) {
		t.Errorf("hashes under two keys are equal")
	}
	if bytes.Contains(a, []byte(r)) || len(a) != 32 {
		t.Errorf("hash %x is not a 32-byte digest", a)
	}
}

func FuzzParseReceipt(f *testing.F) {
	for _, s := range []string{"1234-5678-9012-3456", "", "12345678901234567", "١٢٣", "0000 0000 0000 0000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, ok := formsvc.ParseReceipt(s)
		if !ok {
			return
		}
		if len(r) != 16 {
			t.Fatalf("ParseReceipt(%q) = %q: not 16 digits", s, r)
		}
		for _, c := range r {
			if c < '0' || c > '9' {
				t.Fatalf("ParseReceipt(%q) = %q: non-digit", s, r)
			}
		}
		if back, ok := formsvc.ParseReceipt(r.String()); !ok || back != r {
			t.Fatalf("round trip of %q failed", r)
		}
	})
}
