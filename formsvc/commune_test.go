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

func TestParseCommuneReport(t *testing.T) {
	c, err := formsvc.ParseCommune([]byte(`
unit: {name: Ủy ban nhân dân phường Thượng Hồng, confirmed: true}
report:
  recipients: ["UBND tỉnh (để báo cáo)", "  ", "Công an tỉnh"]
  signer_authority: " KT. CHỦ TỊCH "
  signer_title: PHÓ CHỦ TỊCH
`))
	if err != nil {
		t.Fatal(err)
	}
	r := c.Report
	if r.Place != "Thượng Hồng" || len(r.Recipients) != 2 || r.SignerAuthority != "KT. CHỦ TỊCH" || r.SignerTitle != "PHÓ CHỦ TỊCH" || r.SignerName != "" {
		t.Errorf("report = %+v", r)
	}
	// Unconfirmed: the unit's name is not used, so the place is left to fill.
	c, err = formsvc.ParseCommune([]byte("unit: {name: Ủy ban nhân dân phường Thượng Hồng}\nunconfirmed_name: Địa bàn cũ"))
	if err != nil || c.Report.Place != "" || c.Confirmed {
		t.Errorf("unconfirmed: %+v, %v", c, err)
	}
	c, _ = formsvc.ParseCommune([]byte("unit: {name: UBND xã A}\nunconfirmed_name: B\nreport: {place: Hòa Phong}"))
	if c.Report.Place != "Hòa Phong" {
		t.Errorf("report.place = %q", c.Report.Place)
	}
	for in, want := range map[string]string{
		"Ủy ban nhân dân phường Thượng Hồng": "Thượng Hồng",
		"Ủy ban nhân dân xã Hòa Phong":       "Hòa Phong",
		"UBND thị trấn Bần Yên Nhân":         "Bần Yên Nhân",
		"Ủy ban nhân dân đặc khu Côn Đảo":    "Côn Đảo",
		"Hòa Phong": "Hòa Phong",
	} {
		if got := formsvc.PlaceName(in); got != want {
			t.Errorf("PlaceName(%q) = %q, want %q", in, got, want)
		}
	}
}
