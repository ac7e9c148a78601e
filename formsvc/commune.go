package formsvc

import (
	"fmt"

	"github.com/goccy/go-yaml"
)

// Commune is the part of data/commune.yaml the service uses.
type Commune struct {
	Name string `yaml:"name"`
}

// ParseCommune reads data/commune.yaml.
func ParseCommune(b []byte) (*Commune, error) {
	var c Commune
	if err := yaml.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("parse commune.yaml: %w", err)
	}
	if c.Name == "" {
		return nil, fmt.Errorf("commune.yaml: name is empty")
	}
	return &c, nil
}
