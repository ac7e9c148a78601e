// Package data embeds the YAML data files that the form service needs at
// run time, so the service binary carries the same form definitions that
// Hugo renders the site from.
package data

import _ "embed"

// FormsYAML is data/forms.yaml: the single source of truth for form fields,
// their limits and the category codes.
//
//go:embed forms.yaml
var FormsYAML []byte

// CommuneYAML is data/commune.yaml: the commune's identity, which reports
// carry in their heading.
//
//go:embed commune.yaml
var CommuneYAML []byte

// ReferralsYAML is data/referrals.yaml: where officers refer records to,
// and the outcomes of a referral.
//
//go:embed referrals.yaml
var ReferralsYAML []byte
