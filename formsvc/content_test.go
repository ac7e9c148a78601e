package formsvc_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

func TestContentEncoding(t *testing.T) {
	tests := []formsvc.Content{
		{},
		{Text: map[string]string{"location": "Quán Hoa", "description": "dòng 1\ndòng 2", "empty": ""}},
		{Bools: map[string]bool{"consent": true, "minors_involved": false}, PrivacyVersion: "1",
			Lists: map[string][]string{"services": {"hiv", "job"}, "none": {}}, Text: map[string]string{"contact": "0912345678"}},
	}
	for _, c := range tests {
		b, err := c.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var back formsvc.Content
		if err := back.UnmarshalBinary(b); err != nil {
			t.Fatalf("decode %+v: %v", c, err)
		}
		if !reflect.DeepEqual(back, c) && !(len(c.Text)+len(c.Bools)+len(c.Lists) == 0 && back.Text == nil) {
			t.Errorf("round trip: %+v -> %+v", c, back)
		}
		again, _ := back.MarshalBinary()
		if string(again) != string(b) {
			t.Errorf("encoding is not deterministic")
		}
		// Content stored as JSON before the binary encoding still reads.
		j, _ := json.Marshal(c)
		var fromJSON formsvc.Content
		if err := fromJSON.UnmarshalBinary(j); err != nil || !reflect.DeepEqual(fromJSON.Text, c.Text) {
			t.Errorf("legacy JSON: %+v, %v", fromJSON, err)
		}
	}
	for _, bad := range [][]byte{nil, {0x02}, {0x01}, {0x01, 0, 5, 1}, {0x01, 0, 0, 0, 0, 9}} {
		var c formsvc.Content
		if err := c.UnmarshalBinary(bad); err == nil {
			t.Errorf("UnmarshalBinary(%x) accepted it", bad)
		}
	}
}

func FuzzContentEncoding(f *testing.F) {
	c := formsvc.Content{Text: map[string]string{"a": "b"}, Bools: map[string]bool{"x": true}, Lists: map[string][]string{"s": {"1", "2"}}}
	b, _ := c.MarshalBinary()
	f.Add(b)
	f.Add([]byte{0x01, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Add([]byte(`{"text":{"a":"b"}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var c formsvc.Content
		if err := c.UnmarshalBinary(b); err != nil || (len(b) > 0 && b[0] == '{') {
			return
		}
		again, _ := c.MarshalBinary()
		var back formsvc.Content
		if err := back.UnmarshalBinary(again); err != nil {
			t.Fatalf("re-encoding of a decoded value fails: %v", err)
		}
	})
}
