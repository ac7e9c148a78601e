package site_test

import (
	"strings"
	"testing"
)

// TestSearchBoxHasALabelAndAButton: the search box on /tim-kiem/ has a
// visible label and a submit button; both box and button start disabled
// (the site has no server-side search, so without JavaScript the form has
// nowhere to go) and the hint tells who has no JavaScript what to do.
func TestSearchBoxHasALabelAndAButton(t *testing.T) {
	form := page(t, "/tim-kiem/").Find("form[data-search-form]")
	if form.Length() != 1 {
		t.Fatalf("no search form")
	}
	label := form.Find(`label[for="q"]`)
	if label.Length() != 1 || strings.TrimSpace(label.Text()) == "" || label.HasClass("visually-hidden") {
		t.Errorf("the search box has no visible label")
	}
	button := form.Find(`button[type="submit"][data-search-button]`)
	if button.Length() != 1 || strings.TrimSpace(button.Text()) != "Tìm" {
		t.Errorf("the search box has no button \"Tìm\"")
	}
	for _, sel := range []string{"#q", "[data-search-button]"} {
		if _, off := form.Find(sel).Attr("disabled"); !off {
			t.Errorf("%s is enabled before search.js runs", sel)
		}
	}
	if _, named := form.Find("#q").Attr("name"); named {
		t.Errorf("the box has a name: a plain submit would put the words in the address")
	}
	if hint := form.Find("[data-search-hint]").Text(); !strings.Contains(hint, "Ctrl+F") {
		t.Errorf("the hint without JavaScript says %q", hint)
	}
}
