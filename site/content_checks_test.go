package site_test

// Content checks on the built site (issue 15): the facts that were wrong
// stay right, verification status stays on the sources register, the unit
// that exists today comes from data/commune.yaml, the new topics are
// there, and the law page stays short and plain.

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/goccy/go-yaml"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/internal/testsite"
)

const registerURL = "/nguon-thong-tin/"

// text is what a reader of the page reads: the document's text with runs
// of white space made one space.
func text(s *goquery.Selection) string {
	return strings.Join(strings.Fields(s.Text()), " ")
}

// mainText is the text of a built page's <main>.
func mainText(t *testing.T, u string) string {
	t.Helper()
	return text(builtPageAt(t, u).Doc.Find("main"))
}

func mustContain(t *testing.T, where, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s does not say %q", where, w)
		}
	}
}

// TestUnverifiedOnlyOnTheRegister: "chưa xác minh" is on one page, the
// sources register, and never in the same block as a number to call.
func TestUnverifiedOnlyOnTheRegister(t *testing.T) {
	var with []string
	emergency := regexp.MustCompile(`(^|[^\d])(111|112|113|114|115)([^\d]|$)`)
	for _, p := range builtPages(t) {
		if strings.Contains(strings.ToLower(p.Doc.Text()), "chưa xác minh") {
			with = append(with, p.URL)
		}
		p.Doc.Find("li, p, dd, td, section, h2, h3").Each(func(_ int, b *goquery.Selection) {
			own := strings.ToLower(text(b))
			if !strings.Contains(own, "chưa xác minh") {
				return
			}
			if b.Find(`a[href^="tel:"]`).Length() > 0 || emergency.MatchString(own) {
				t.Errorf("%s: %q says \"chưa xác minh\" beside a number to call", p.URL, own)
			}
		})
	}
	if !slices.Equal(with, []string{registerURL}) {
		t.Errorf("\"chưa xác minh\" is on %d pages %v; want only %s", len(with), with, registerURL)
	}
	t.Logf("%d pages checked; \"chưa xác minh\" on %v", len(builtPages(t)), with)
}

// TestCorrectedFacts: each correction of issue 15, where a reader meets it.
func TestCorrectedFacts(t *testing.T) {
	hot := builtPageAt(t, "/duong-day-nong/").Doc
	for _, id := range []string{"canh-sat-113", "cuu-hoa-114", "cap-cuu-115"} {
		mustContain(t, "/duong-day-nong/#"+id, text(hot.Find("#"+id)), "Miễn phí", "24/7", "02/2020/TT-BTTTT")
	}
	n112 := text(hot.Find(`li.hotline:has(a[href="tel:112"])`))
	mustContain(t, "/duong-day-nong/ (112)", n112, "Miễn phí", "24/7", "2023/QĐ-TTg", "2024/QĐ-TTg", "trợ giúp khẩn cấp")
	if strings.HasPrefix(text(hot.Find(`li.hotline:has(a[href="tel:112"]) h2`)), "Tìm kiếm") {
		t.Error("112 is still named a search-and-rescue number")
	}

	register := builtPageAt(t, registerURL).Doc
	doc := func(id string) string { return text(register.Find(`section.doc[id="` + id + `"]`)) }
	mustContain(t, registerURL+"#luat-86-2025", doc("luat-86-2025"), "86/2025/QH15", "25/06/2025", "01/07/2025", "Bộ luật Hình sự")
	mustContain(t, registerURL+"#luat-91-2025", doc("luat-91-2025"), "91/2025/QH15", "Bảo vệ dữ liệu cá nhân", "01/01/2026")
	mustContain(t, registerURL+"#qd-1629-2021", doc("qd-1629-2021"), "1629/QĐ-TTg", "Đã hết giai đoạn")
	mustContain(t, registerURL+"#luat-xlvphc-2012", doc("luat-xlvphc-2012"), "15/2012/QH13", "67/2020/QH14")

	law := mainText(t, "/phap-luat/")
	mustContain(t, "/phap-luat/", law, "86/2025/QH15", "15/2012/QH13", "Người mua dâm luôn bị phạt tiền", "Chỉ người bán dâm mới có thể chỉ bị cảnh cáo", "Điều 32", "Điều 33")
	mustContain(t, "/rieng-tu/", mainText(t, "/rieng-tu/"), "91/2025/QH15", "01/01/2026", "dữ liệu cá nhân nhạy cảm", "sức khỏe")
	mustContain(t, "business duties", mainText(t, "/tuyen-truyen/trach-nhiem-co-so-kinh-doanh-dich-vu/"), "Ai thu hồi giấy phép?", "cơ quan đã cấp giấy", "người có thẩm quyền xử phạt")
	mustContain(t, "changes of 2025", mainText(t, "/tuyen-truyen/nhung-thay-doi-nam-2025/"), "Bộ Giáo dục và Đào tạo", "giáo dục nghề nghiệp")
	mustContain(t, "victims' rights", mainText(t, "/tuyen-truyen/quyen-cua-nan-nhan-mua-ban-nguoi/"), "không bị xử lý", "kỳ thị", "giữ bí mật")

	for _, p := range builtPages(t) {
		all := text(p.Doc.Find("body"))
		low := strings.ToLower(all)
		for _, wrong := range []string{"nạn nhân không có lỗi", "tính nét", "phạt tiền từ 300.000 đồng đến 500.000 đồng đối với người mua"} {
			if strings.Contains(low, wrong) {
				t.Errorf("%s says %q", p.URL, wrong)
			}
		}
		// 91/2025/QH15 is the data protection law, never the Criminal Code's amendment.
		for _, m := range regexp.MustCompile(`[^.]*91/2025[^.]*`).FindAllString(all, -1) {
			if strings.Contains(m, "Hình sự") {
				t.Errorf("%s ties 91/2025 to the Criminal Code: %q", p.URL, m)
			}
		}
		// The 2021–2025 programme is over.
		for _, m := range regexp.MustCompile(`[^.]*1629[^.]*`).FindAllString(all, -1) {
			if strings.Contains(m, "còn hiệu lực") {
				t.Errorf("%s calls QĐ 1629 current: %q", p.URL, m)
			}
		}
		// One word for anonymity: "giấu tên"; "ẩn danh" only as the
		// browsers' own menu name ("thẻ ẩn danh", "chế độ ẩn danh").
		rest := strings.NewReplacer("thẻ ẩn danh", "", "chế độ ẩn danh", "").Replace(low)
		if strings.Contains(rest, "ẩn danh") {
			t.Errorf("%s says \"ẩn danh\"; the site's word is \"giấu tên\"", p.URL)
		}
	}
}

// TestAdultsInDangerAreSentTo113: on every page, a paragraph or list item
// that speaks of danger and names 111 names 113 too: 111 is for children
// and trafficking, an adult in danger calls the police.
func TestAdultsInDangerAreSentTo113(t *testing.T) {
	for _, p := range builtPages(t) {
		p.Doc.Find("main p, main li").Each(func(_ int, b *goquery.Selection) {
			s := strings.ToLower(text(b))
			if strings.Contains(s, "nguy hiểm") && strings.Contains(s, "111") && !strings.Contains(s, "113") {
				t.Errorf("%s: %q sends people in danger to 111 without 113", p.URL, s)
			}
		})
	}
}

// TestRadioScriptsSendAdultsInDangerTo113: in each broadcast script, every
// paragraph about someone being beaten or in danger names 113 (read
// "một một ba"); 111 alone is for children and trafficking.
func TestRadioScriptsSendAdultsInDangerTo113(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(testsite.Root(), "content", "phat-thanh", "*.md"))
	checked := 0
	for _, f := range files {
		if filepath.Base(f) == "_index.md" {
			continue
		}
		u := "/phat-thanh/" + strings.TrimSuffix(filepath.Base(f), ".md") + "/"
		builtPageAt(t, u).Doc.Find("main article > p").Each(func(_ int, p *goquery.Selection) {
			s := strings.ToLower(text(p))
			if (strings.Contains(s, "đánh") || strings.Contains(s, "nguy hiểm")) && strings.Contains(s, "một một một") {
				checked++
				if !strings.Contains(s, "một một ba") {
					t.Errorf("%s: %q sends people in danger to 111 without 113", u, s)
				}
			}
		})
	}
	if checked == 0 {
		t.Error("no paragraph about danger found in the broadcast scripts")
	}
}

// communeData is data/commune.yaml as the pages read it.
type communeData struct {
	Unit struct {
		Name      string `yaml:"name"`
		ShortName string `yaml:"short_name"`
		Confirmed bool   `yaml:"confirmed"`
	}
	UnconfirmedName      string                  `yaml:"unconfirmed_name"`
	UnconfirmedShortName string                  `yaml:"unconfirmed_short_name"`
	FormerNames          []struct{ Name string } `yaml:"former_names"`
	Offices              []struct {
		ID, Name, Address, Phone, Hours string
	}
	Fallback string
}

func (c communeData) names() (name, short string) {
	if c.Unit.Confirmed {
		return c.Unit.Name, c.Unit.ShortName
	}
	return c.UnconfirmedName, c.UnconfirmedShortName
}

// TestUnitFromData: the header, footer, home, about page, privacy page,
// poster, leaflet and broadcast scripts name the unit that exists today
// as data/commune.yaml says (its name only once confirmed), its former
// name, and where to go, with the neutral fallback for what is not filled
// in. Built again with a confirmed unit and filled-in offices, the same
// pages show them.
func TestUnitFromData(t *testing.T) {
	var c communeData
	readYAML(t, "commune.yaml", &c)
	name, short := c.names()
	open := func(u string) *goquery.Document { return builtPageAt(t, u).Doc }
	checkUnit(t, c, name, short, open)
	if !c.Unit.Confirmed {
		for _, p := range builtPages(t) {
			if p.URL != registerURL && strings.Contains(text(p.Doc.Find("body")), c.Unit.Name) {
				t.Errorf("%s names the unconfirmed unit %q", p.URL, c.Unit.Name)
			}
		}
	}

	// The same pages with the unit confirmed and the offices filled in.
	b, err := os.ReadFile(filepath.Join(testsite.Root(), "data", "commune.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := yaml.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	raw["unit"].(map[string]any)["confirmed"] = true
	for _, o := range raw["offices"].([]any) {
		o := o.(map[string]any)
		o["address"] = "Số 1 đường Thử, " + o["id"].(string)
		o["phone"] = "0221 000 000"
		o["hours"] = "Thứ Hai đến thứ Sáu"
	}
	filled, err := yaml.Marshal(raw)
	if err != nil {
		t.Fatal(err)
	}
	var c2 communeData
	if err := yaml.Unmarshal(filled, &c2); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := testsite.BuildWith(dir, map[string][]byte{"data/commune.yaml": filled}); err != nil {
		t.Fatal(err)
	}
	name2, short2 := c2.names()
	checkUnit(t, c2, name2, short2, func(u string) *goquery.Document {
		f, err := os.Open(filepath.Join(dir, filepath.FromSlash(u), "index.html"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		d, err := goquery.NewDocumentFromReader(f)
		if err != nil {
			t.Fatal(err)
		}
		return d
	})
}

func checkUnit(t *testing.T, c communeData, name, short string, open func(string) *goquery.Document) {
	t.Helper()
	former := c.FormerNames[0].Name
	home := open("/")
	if got := text(home.Find("header .brand")); !strings.HasPrefix(got, short) {
		t.Errorf("header = %q, want it to start with %q", got, short)
	}
	mustContain(t, "footer", text(home.Find("footer")), name, former)
	mustContain(t, "home", text(home.Find("main")), name)
	about := open("/gioi-thieu/")
	mustContain(t, "/gioi-thieu/", text(about.Find("main")), name, former)
	for _, o := range c.Offices {
		sec := about.Find(`[data-contacts] #` + o.ID)
		s := text(sec)
		if o.Address == "" && o.Phone == "" && o.Hours == "" {
			mustContain(t, "/gioi-thieu/ "+o.ID, s, o.Name, strings.Join(strings.Fields(c.Fallback), " "))
			continue
		}
		mustContain(t, "/gioi-thieu/ "+o.ID, s, o.Name, o.Address, o.Phone, o.Hours)
		if sec.Find(`a[href="tel:`+strings.ReplaceAll(o.Phone, " ", "")+`"]`).Length() != 1 {
			t.Errorf("/gioi-thieu/ %s: the phone is not a tap-to-call link", o.ID)
		}
	}
	mustContain(t, "/rieng-tu/ (data controller)", text(open("/rieng-tu/").Find("main")), name)
	for _, u := range []string{"/tai-lieu-in/poster/", "/tai-lieu-in/to-roi/"} {
		s := text(open(u).Find("main"))
		mustContain(t, u, s, name, "Đến trực tiếp")
		for _, o := range c.Offices {
			if (o.ID == "cong-an" || o.ID == "mot-cua") && o.Address != "" {
				mustContain(t, u, s, o.Address)
			}
		}
	}
	for _, u := range []string{"/phat-thanh/cach-gui-tin-bao-cho-xa/", "/phat-thanh/canh-giac-lua-dao-viec-lam-goi-111/", "/phat-thanh/phong-ngua-hiv-va-quyen-tiep-can-dich-vu/"} {
		mustContain(t, u, text(open(u).Find("main")), name)
	}
}

// TestNewTopics: the topics residents lacked are on the site, each where
// a reader looks for it.
func TestNewTopics(t *testing.T) {
	after := mainText(t, "/tuyen-truyen/sau-khi-gui-tin-bao/")
	spec, err := formsvc.DefaultSpec()
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range spec.Kind(formsvc.KindTip).Statuses {
		mustContain(t, "after a tip", after, st.Public)
	}
	mustContain(t, "after a tip", after, "Ai đọc", "Bao lâu", "không bao giờ", "Tra cứu", "Số liệu")
	if builtPageAt(t, "/gui-tin-bao/").Doc.Find(`main a[href="/tuyen-truyen/sau-khi-gui-tin-bao/"]`).Length() == 0 {
		t.Error("the tip form does not link to what happens next")
	}

	abroad := mainText(t, "/tuyen-truyen/khi-o-nuoc-ngoai/")
	mustContain(t, "help from abroad", abroad, "không gọi được", "đại sứ quán", "Bộ Ngoại giao", "111")
	// Only sourced numbers: the ministry's hotline is not checked yet.
	if m := regexp.MustCompile(`\+\d|\d{3} ?\d{2} ?\d{2} ?\d{2}`).FindString(abroad); m != "" {
		t.Errorf("help from abroad publishes a number %q that is not sourced", m)
	}

	mustContain(t, "job offers", mainText(t, "/tuyen-truyen/kiem-tra-loi-moi-viec-lam/"), "69/2020/QH14", "giấy phép", "Tiền dịch vụ có giới hạn", "lừa đảo")
	mustContain(t, "victims' entitlements", mainText(t, "/tuyen-truyen/quyen-cua-nan-nhan-mua-ban-nguoi/"),
		"53/2024/QH15", "Điều 37", "nhu cầu thiết yếu", "chăm sóc y tế", "trợ giúp pháp lý miễn phí", "hỗ trợ tâm lý", "học nghề", "trợ cấp khó khăn", "vay vốn", "bảo hiểm y tế")
	mustContain(t, "health", mainText(t, "/tuyen-truyen/phong-ngua-hiv-va-benh-lay-qua-duong-tinh-duc/"),
		"72 giờ", "PEP", "PrEP", "ARV", "miễn phí", "Không phát hiện = Không lây truyền", "giữ bí mật")
	mustContain(t, "police checks", mainText(t, "/tuyen-truyen/khi-bi-kiem-tra/"), "Điều 33", "biên bản", "tôn trọng", "nạn nhân")
	mustContain(t, "no-contact orders", mainText(t, "/tuyen-truyen/bao-luc-tren-co-so-gioi/"), "cấm tiếp xúc", "Luật Phòng, chống bạo lực gia đình")

	tip := mainText(t, "/gui-tin-bao/")
	mustContain(t, "tip form introduction", tip, "ép buộc", "dưới 18 tuổi", "chứa mại dâm", "môi giới", "mua bán người", "không dùng để báo về một người lớn")

	vol := mainText(t, "/tuyen-truyen/doi-cong-tac-xa-hoi-tinh-nguyen/")
	mustContain(t, "volunteers", vol, "Đội báo cho công an", "Đội không bao giờ", "khi bạn không đồng ý")
	if strings.Contains(vol, "nắm tình hình ở địa bàn.") && !strings.Contains(vol, "có nghĩa là gì") {
		t.Error("the volunteer page says volunteers gather information for the police without saying what")
	}
	support := mainText(t, "/yeu-cau-ho-tro/")
	mustContain(t, "support form", support, "công an không xem được yêu cầu hỗ trợ", "nếu bạn không đồng ý")
}

// TestLawPageShortAndPlain: the law page fits a few phone screens (under
// 2,000 words), avoids legal jargon and abbreviations, and explains PrEP.
func TestLawPageShortAndPlain(t *testing.T) {
	s := mainText(t, "/phap-luat/")
	words := len(strings.Fields(s))
	if words >= 2000 {
		t.Errorf("/phap-luat/ has %d words; want under 2,000", words)
	}
	t.Logf("/phap-luat/: %d words", words)
	for _, jargon := range []string{"truy cứu trách nhiệm", "tình tiết tăng nặng", "cấu thành", "UBND", "HĐND", "BLHS", "tái phạm nguy hiểm"} {
		if strings.Contains(s, jargon) {
			t.Errorf("/phap-luat/ says %q", jargon)
		}
	}
	for _, m := range regexp.MustCompile(`[^.]*PrEP[^.]*`).FindAllString(s, -1) {
		if !strings.Contains(m, "phòng HIV") {
			t.Errorf("/phap-luat/ names PrEP without saying what it is: %q", m)
		}
	}
}
