package formsvc_test

import (
	"testing"

	"github.com/hoaphong/phongchongmaidam/data"
	"github.com/hoaphong/phongchongmaidam/formsvc"
)

func TestParseCommune(t *testing.T) {
	for _, tt := range []struct{ yaml, want string }{
		{"unit: {name: UBND phường A, confirmed: true}\nunconfirmed_name: Địa bàn cũ", "UBND phường A"},
		{"unit: {name: UBND phường A, confirmed: false}\nunconfirmed_name: Địa bàn cũ", "Địa bàn cũ"},
		{"unit: {name: UBND phường A}\nunconfirmed_name: Địa bàn cũ", "Địa bàn cũ"},
	} {
		c, err := formsvc.ParseCommune([]byte(tt.yaml))
		if err != nil || c.Name != tt.want {
			t.Errorf("%q: %v, %v; want %q", tt.yaml, c, err, tt.want)
		}
	}
	if _, err := formsvc.ParseCommune([]byte("unit: {name: UBND phường A}")); err == nil {
		t.Error("an unconfirmed unit without unconfirmed_name was accepted")
	}
	if _, err := formsvc.ParseCommune(data.CommuneYAML); err != nil {
		t.Errorf("data/commune.yaml: %v", err)
	}
}
