package formsvc_test

import (
	"os"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/hoaphong/phongchongmaidam/data"
	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// A workflow that the rest of the service could not work with is refused
// when forms.yaml is read, with what is wrong.
func TestKindsAreCheckedWhenTheSpecLoads(t *testing.T) {
	yaml := string(data.FormsYAML)
	for _, c := range []struct{ name, old, new, want string }{
		{"no closed status", "      - code: closed\n        public: Đã kết thúc\n        officer: Đã đóng\n  - kind: support", "  - kind: support", `end with "closed"`},
		{"a repeated status", "      - code: contacted\n", "      - code: received\n", "repeated"},
		{"a status without labels", "        officer: Đang xác minh\n", "", "needs a public and an officer label"},
		{"an unknown form", "    form: support\n", "    form: nowhere\n", `form "nowhere"`},
		{"a code field that is not an option field", "code_field: category", "code_field: location", "code_field"},
		{"two kinds with one prefix", "    prefix: HT\n", "    prefix: TB\n", "share the prefix"},
		{"a status code with a space", "      - code: in_progress\n", "      - code: in progress\n", "status code"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if strings.Count(yaml, c.old) != 1 {
				t.Fatalf("forms.yaml changed: %q is not there once", c.old)
			}
			_, err := formsvc.ParseSpec([]byte(strings.Replace(yaml, c.old, c.new, 1)))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want one saying %q", err, c.want)
			}
		})
	}
}

func TestTheBinarysKinds(t *testing.T) {
	spec, err := formsvc.DefaultSpec()
	if err != nil {
		t.Fatal(err)
	}
	tip, support := spec.Kind(formsvc.KindTip), spec.Kind(formsvc.KindSupport)
	if tip.Ref(2026, 42) != "TB-2026-0042" || support.Ref(2026, 7) != "HT-2026-0007" {
		t.Errorf("refs: %s %s", tip.Ref(2026, 42), support.Ref(2026, 7))
	}
	if d, y, n, ok := spec.ParseRef(" tb-2026-42 "); !ok || d != tip || y != 2026 || n != 42 {
		t.Errorf("ParseRef = %v %d %d %v", d, y, n, ok)
	}
	for _, bad := range []string{"XX-2026-1", "TB-26-1", "TB-2026-0", "TB-2026-", "TB2026-1", "TB-2026-1234567890"} {
		if _, _, _, ok := spec.ParseRef(bad); ok {
			t.Errorf("ParseRef(%q) accepted", bad)
		}
	}
	if !support.IsOpen("referred") || support.IsOpen("completed") || support.IsOpen(formsvc.StatusClosed) || tip.IsOpen("nonsense") {
		t.Error("open statuses wrong")
	}
	if tip.Code.Multi() || !support.Code.Multi() {
		t.Error("a tip has one category, a support request several services")
	}
}

// Every referral destination that names a service names one of the
// directory's (data/services.yaml), and every kind has destinations.
func TestReferralDestinationsAreInTheDirectory(t *testing.T) {
	spec, err := formsvc.DefaultSpec()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("../data/services.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var dir struct {
		Services []struct {
			ID string `yaml:"id"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(b, &dir); err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, s := range dir.Services {
		ids[s.ID] = true
	}
	for _, d := range spec.Referrals.Destinations {
		if d.Service != "" && !ids[d.Service] {
			t.Errorf("destination %s: service %q is not in data/services.yaml", d.Code, d.Service)
		}
	}
	for _, k := range spec.KindList() {
		if len(spec.Referrals.For(k)) == 0 {
			t.Errorf("kind %s has no referral destination", k)
		}
	}
}

// A status gone from forms.yaml is dropped from a store's table when no
// record is in it, and refused, by name, while one is.
func TestRetiredStatuses(t *testing.T) {
	spec, err := formsvc.DefaultSpec()
	if err != nil {
		t.Fatal(err)
	}
	stored := []formsvc.StoredStatus{{Kind: "tip", Status: "received", Records: 5}, {Kind: "tip", Status: "archived"}}
	gone, err := spec.Retired(stored)
	if err != nil || len(gone) != 1 || gone[0].Status != "archived" {
		t.Errorf("Retired = %v, %v; want archived only", gone, err)
	}
	stored[1].Records = 2
	if _, err := spec.Retired(stored); err == nil || !strings.Contains(err.Error(), `"archived"`) || !strings.Contains(err.Error(), "2 hồ sơ") {
		t.Errorf("a status in use: %v", err)
	}
}
