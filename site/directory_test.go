package site_test

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/goccy/go-yaml"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/hoaphong/phongchongmaidam/internal/testsite"
)

// servicesData is data/services.yaml, the directory's source.
type servicesData struct {
	Categories []struct {
		Code, Name, Description string
	}
	Organizations []struct {
		ID       string `yaml:"id"`
		Name     string
		Verified bool
	}
	Services []struct {
		ID         string `yaml:"id"`
		Name       string
		Categories []string
		Phones     []struct{ Number string }
		Address    struct{ Street string }
		URL        string `yaml:"url"`
		Verified   bool
		Note       string
	}
}

func readYAML(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testsite.Root(), "data", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

func services(t *testing.T) servicesData {
	t.Helper()
	var d servicesData
	readYAML(t, "services.yaml", &d)
	if len(d.Services) == 0 || len(d.Categories) == 0 {
		t.Fatal("data/services.yaml has no services or no categories")
	}
	return d
}

// TestDirectoryPages: /danh-ba/ lists every service; each service has its
// page and each category a page listing exactly its services; whether an
// entry is checked is not on these pages (it is on /nguon-thong-tin/), and
// a service with no phone, address or web page says where to ask instead.
func TestDirectoryPages(t *testing.T) {
	d := services(t)
	list := builtPageAt(t, "/danh-ba/").Doc
	if n := list.Find("[data-directory-list] > li").Length(); n != len(d.Services) {
		t.Errorf("/danh-ba/ lists %d services, data has %d", n, len(d.Services))
	}
	inCategory := map[string][]string{}
	for _, s := range d.Services {
		for _, c := range s.Categories {
			inCategory[c] = append(inCategory[c], "/danh-ba/"+s.ID+"/")
		}
		doc := builtPageAt(t, "/danh-ba/"+s.ID+"/").Doc
		if h1 := strings.TrimSpace(doc.Find("h1").Text()); h1 != s.Name {
			t.Errorf("/danh-ba/%s/: h1 = %q, want %q", s.ID, h1, s.Name)
		}
		if text := doc.Find("main").Text(); strings.Contains(strings.ToLower(text), "xác minh") {
			t.Errorf("/danh-ba/%s/: the page speaks of verification", s.ID)
		}
		if fallback := doc.Find("main [data-fallback]").Length() == 1; fallback != (len(s.Phones) == 0 && s.Address.Street == "" && s.URL == "") {
			t.Errorf("/danh-ba/%s/: the where-to-ask line shown=%v with %d phones, address %q, url %q", s.ID, fallback, len(s.Phones), s.Address.Street, s.URL)
		}
		for _, ph := range s.Phones {
			if doc.Find(`main a[href="tel:`+ph.Number+`"]`).Length() == 0 {
				t.Errorf("/danh-ba/%s/: no tap-to-call link to %s", s.ID, ph.Number)
			}
		}
		// The list card says it too.
		card := list.Find(`[data-directory-list] > li`).FilterFunction(func(_ int, c *goquery.Selection) bool {
			return c.Find(`a[href="/danh-ba/`+s.ID+`/"]`).Length() > 0
		})
		if card.Length() != 1 {
			t.Errorf("/danh-ba/ has %d cards for %s", card.Length(), s.ID)
		} else if strings.Contains(strings.ToLower(card.Text()), "xác minh") {
			t.Errorf("/danh-ba/ card of %s speaks of verification", s.ID)
		}
	}
	for _, c := range d.Categories {
		doc := builtPageAt(t, "/danh-ba/nhom/"+c.Code+"/").Doc
		var got []string
		doc.Find("main .services > li h2 a").Each(func(_ int, a *goquery.Selection) { got = append(got, a.AttrOr("href", "")) })
		slices.Sort(got)
		want := slices.Sorted(slices.Values(inCategory[c.Code]))
		if !slices.Equal(got, want) {
			t.Errorf("/danh-ba/nhom/%s/ lists %v, want %v", c.Code, got, want)
		}
		if list.Find(`a[href="/danh-ba/nhom/`+c.Code+`/"]`).Length() == 0 {
			t.Errorf("/danh-ba/ has no link to the category %s (needed without JavaScript)", c.Code)
		}
	}
	if list.Find("[data-directory-filters][hidden]").Length() != 1 {
		t.Errorf("the filter must start hidden: without JavaScript it does nothing")
	}
}

// TestServicePagesJSONLD: each service page describes itself to search
// engines as schema.org JSON-LD that parses and has a type.
func TestServicePagesJSONLD(t *testing.T) {
	for _, s := range services(t).Services {
		doc := builtPageAt(t, "/danh-ba/"+s.ID+"/").Doc
		scripts := doc.Find(`script[type="application/ld+json"]`)
		if scripts.Length() != 1 {
			t.Errorf("/danh-ba/%s/ has %d JSON-LD scripts, want 1", s.ID, scripts.Length())
			continue
		}
		var ld map[string]any
		if err := json.Unmarshal([]byte(scripts.Text()), &ld); err != nil {
			t.Errorf("/danh-ba/%s/: JSON-LD does not parse: %v", s.ID, err)
			continue
		}
		if ld["@context"] != "https://schema.org" || ld["@type"] != "Service" || ld["name"] != s.Name {
			t.Errorf("/danh-ba/%s/: JSON-LD @context=%v @type=%v name=%v", s.ID, ld["@context"], ld["@type"], ld["name"])
		}
		if p, _ := ld["provider"].(map[string]any); p == nil || p["@type"] == nil || p["name"] == "" {
			t.Errorf("/danh-ba/%s/: JSON-LD provider = %v", s.ID, ld["provider"])
		}
	}
}

// hsdsUUID is helpers/uuid.html in Go: the ids must not change between
// builds, so anyone who reuses the export can follow an entry.
func hsdsUUID(name string) string {
	sum := sha1.Sum([]byte("github.com/hoaphong/phongchongmaidam:" + name))
	h := hex.EncodeToString(sum[:])
	variant := "89ab"[strings.IndexByte("0123456789abcdef", h[16])%4]
	return fmt.Sprintf("%s-%s-5%s-%c%s-%s", h[0:8], h[8:12], h[13:16], variant, h[17:20], h[20:32])
}

// hsdsSchemas compiles the official HSDS 3 compiled-service schema and the
// Page envelope of its API (openapi.json), from site/testdata/hsds.
func hsdsSchemas(t *testing.T) (service, page *jsonschema.Schema) {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	load := func(name string) any {
		f, err := os.Open(filepath.Join("testdata", "hsds", name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		v, err := jsonschema.UnmarshalJSON(f)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return v
	}
	if err := c.AddResource("hsds:compiled-service.json", load("compiled-service.json")); err != nil {
		t.Fatal(err)
	}
	api := load("openapi.json").(map[string]any)
	pageSchema := api["components"].(map[string]any)["schemas"].(map[string]any)["Page"].(map[string]any)
	// The /services answer: a Page whose contents are services.
	envelope := map[string]any{
		"allOf":      []any{pageSchema},
		"type":       "object",
		"required":   []any{"total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"},
		"properties": map[string]any{"contents": map[string]any{"type": "array", "items": map[string]any{"$ref": "hsds:compiled-service.json"}}},
	}
	if err := c.AddResource("hsds:page.json", envelope); err != nil {
		t.Fatal(err)
	}
	var err error
	if service, err = c.Compile("hsds:compiled-service.json"); err != nil {
		t.Fatal(err)
	}
	if page, err = c.Compile("hsds:page.json"); err != nil {
		t.Fatal(err)
	}
	return service, page
}

// TestHSDSExport: /danh-ba/hsds.json is valid Open Referral HSDS 3 (the
// official schema, formats asserted), holds every service with stable ids,
// and marks the entries not yet checked.
func TestHSDSExport(t *testing.T) {
	serviceSchema, pageSchema := hsdsSchemas(t)
	b, err := os.ReadFile(siteFile(t, "/danh-ba/hsds.json"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("hsds.json does not parse: %v", err)
	}
	if err := pageSchema.Validate(doc); err != nil {
		t.Fatalf("hsds.json is not valid HSDS:\n%v", err)
	}
	var export struct {
		TotalItems int              `json:"total_items"`
		Contents   []map[string]any `json:"contents"`
	}
	if err := json.Unmarshal(b, &export); err != nil {
		t.Fatal(err)
	}
	d := services(t)
	if len(export.Contents) != len(d.Services) || export.TotalItems != len(d.Services) {
		t.Fatalf("hsds.json has %d services (total_items %d), data has %d", len(export.Contents), export.TotalItems, len(d.Services))
	}
	ids := map[string]bool{}
	for i, s := range d.Services {
		c := export.Contents[i]
		if err := serviceSchema.Validate(any(c)); err != nil {
			t.Errorf("service %s is not a valid HSDS service:\n%v", s.ID, err)
		}
		if c["id"] != hsdsUUID("service:"+s.ID) || c["name"] != s.Name || c["status"] != "active" {
			t.Errorf("service %d: id=%v name=%v status=%v; want id %s (stable), name %q, active", i, c["id"], c["name"], c["status"], hsdsUUID("service:"+s.ID), s.Name)
		}
		if ids[c["id"].(string)] {
			t.Errorf("id %v is used twice", c["id"])
		}
		ids[c["id"].(string)] = true
		var codes []string
		attrs, _ := c["attributes"].([]any)
		for _, a := range attrs {
			term := a.(map[string]any)["taxonomy_term"].(map[string]any)
			codes = append(codes, term["code"].(string))
		}
		want := append(slices.Clone(s.Categories), map[bool]string{true: "da-xac-minh", false: "chua-xac-minh"}[s.Verified])
		if !slices.Equal(codes, want) {
			t.Errorf("service %s: attribute codes %v, want %v", s.ID, codes, want)
		}
	}
	// The schema is not a formality: a service without its status fails.
	broken := map[string]any{}
	for k, v := range export.Contents[0] {
		broken[k] = v
	}
	delete(broken, "status")
	if serviceSchema.Validate(any(broken)) == nil {
		t.Errorf("a service without status passed the HSDS schema: the validation checks nothing")
	}
	broken["status"], broken["id"] = "active", "tong-dai-111"
	if serviceSchema.Validate(any(broken)) == nil {
		t.Errorf("a service whose id is not a UUID passed: formats are not asserted")
	}
}

// TestDirectoryCategoriesAreTheFormsServices: the directory's categories
// are the services a person can ask for on the support form (the HSDS
// taxonomy says so), same codes in the same order.
func TestDirectoryCategoriesAreTheFormsServices(t *testing.T) {
	d := services(t)
	var codes []string
	for _, c := range d.Categories {
		codes = append(codes, c.Code)
	}
	var offered []string
	for _, o := range spec(t).Support.Field("services").Options {
		offered = append(offered, o.Value)
	}
	if !slices.Equal(codes, offered) {
		t.Errorf("data/services.yaml categories %v, support form services %v", codes, offered)
	}
}
