package formsvc

import (
	"fmt"

	"github.com/goccy/go-yaml"
)

// Commune is the part of data/commune.yaml the service uses: the name of
// the unit that runs the site, as the site shows it.
type Commune struct {
	// Name is unit.name once the unit is confirmed, else
	// unconfirmed_name: what the site's pages show.
	Name string
}

// ParseCommune reads data/commune.yaml.
func ParseCommune(b []byte) (*Commune, error) {
	var c struct {
		Unit struct {
			Name      string `yaml:"name"`
			Confirmed bool   `yaml:"confirmed"`
		} `yaml:"unit"`
		UnconfirmedName string `yaml:"unconfirmed_name"`
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
	return &Commune{Name: name}, nil
}
