package formsvc

import (
	"fmt"
	"strings"

	"github.com/goccy/go-yaml"
)

// Commune is the part of data/commune.yaml the service uses: the name of
// the unit that runs the site, as the site shows it, and how its reports
// are headed and signed.
type Commune struct {
	// Name is unit.name once the unit is confirmed, else
	// unconfirmed_name: what the site's pages show.
	Name string
	// Confirmed is unit.confirmed: only then is unit.name used at all.
	Confirmed bool
	// Report is the report: section, for the heading and the signature
	// of a report in the state's format (Nghị định 30/2020/NĐ-CP).
	Report CommuneReport
}

// CommuneReport says who issues and signs the service's reports. An empty
// value is left to fill in on the report (a dotted line), never guessed.
type CommuneReport struct {
	// Place is the place name of the date line ("Thượng Hồng, ngày …"):
	// report.place, else a confirmed unit's name without "Ủy ban nhân
	// dân" and its kind (xã, phường, thị trấn, đặc khu); empty otherwise.
	Place string
	// Recipients are the lines of "Nơi nhận", without the archive line
	// ("Lưu: VT."), which reports always add.
	Recipients []string
	// SignerAuthority and SignerTitle are the signer's authority and
	// position ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"); SignerName the name.
	SignerAuthority string
	SignerTitle     string
	SignerName      string
}

// ParseCommune reads data/commune.yaml.
func ParseCommune(b []byte) (*Commune, error) {
	var c struct {
		Unit struct {
			Name      string `yaml:"name"`
			Confirmed bool   `yaml:"confirmed"`
		} `yaml:"unit"`
		UnconfirmedName string `yaml:"unconfirmed_name"`
		Report          struct {
			Place           string   `yaml:"place"`
			Recipients      []string `yaml:"recipients"`
			SignerAuthority string   `yaml:"signer_authority"`
			SignerTitle     string   `yaml:"signer_title"`
			SignerName      string   `yaml:"signer_name"`
		} `yaml:"report"`
	}
	if err := yaml.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("parse commune.yaml: %w", err)
	}
	name := c.UnconfirmedName
	if c.Unit.Confirmed {
		name = c.Unit.Name
	}
	if name == "" {
		return nil, fmt.Errorf("commune.yaml: no name (unit.name when confirmed, else unconfirmed_name)")
	}
	r := CommuneReport{
		Place:           strings.TrimSpace(c.Report.Place),
		SignerAuthority: strings.TrimSpace(c.Report.SignerAuthority),
		SignerTitle:     strings.TrimSpace(c.Report.SignerTitle),
		SignerName:      strings.TrimSpace(c.Report.SignerName),
	}
	for _, s := range c.Report.Recipients {
		if s = strings.TrimSpace(s); s != "" {
			r.Recipients = append(r.Recipients, s)
		}
	}
	if r.Place == "" && c.Unit.Confirmed {
		r.Place = PlaceName(c.Unit.Name)
	}
	return &Commune{Name: name, Confirmed: c.Unit.Confirmed, Report: r}, nil
}

// PlaceName is the place name of a commune-level unit's date line: its
// name without "Ủy ban nhân dân" and without its kind ("Ủy ban nhân dân
// phường Thượng Hồng" → "Thượng Hồng").
func PlaceName(unit string) string {
	s := strings.TrimSpace(unit)
	for _, prefix := range []string{"ủy ban nhân dân ", "uỷ ban nhân dân ", "ubnd "} {
		if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
			s = s[len(prefix):]
			break
		}
	}
	for _, kind := range []string{"xã ", "phường ", "thị trấn ", "đặc khu "} {
		if len(s) >= len(kind) && strings.EqualFold(s[:len(kind)], kind) {
			return strings.TrimSpace(s[len(kind):])
		}
	}
	return s
}
