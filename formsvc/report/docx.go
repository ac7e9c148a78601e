package report

import (
	"archive/zip"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// WriteDOCX writes the report as an editable Word document (.docx), in
// the format of Nghị định 30/2020/NĐ-CP like the HTML page: the office
// fills in the number and the date, signs and files it.
//
// No maintained, freely licensed Go library for writing .docx could be
// had (unidoc's is paid; the free ones are unmaintained or not served),
// so this writes the few WordprocessingML parts a word processor needs
// with archive/zip, every piece of text escaped by encoding/xml. A test
// opens the result in LibreOffice.
func WriteDOCX(w io.Writer, r *Report) error {
	d := &docx{}
	if err := d.body(r); err != nil {
		return err
	}
	z := zip.NewWriter(w)
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", d.contentTypes()},
		{"_rels/.rels", rootRels},
		{"docProps/core.xml", d.core(r)},
		{"docProps/app.xml", appProps},
		{"word/document.xml", d.document()},
		{"word/styles.xml", styles},
		{"word/settings.xml", settings},
		{"word/header1.xml", pageNumberHeader},
		{"word/header2.xml", emptyHeader},
		{"word/_rels/document.xml.rels", d.documentRels()},
	}
	for _, p := range parts {
		f, err := z.Create(p.name)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(f, p.body); err != nil {
			return err
		}
	}
	for i, img := range d.images {
		f, err := z.Create(fmt.Sprintf("word/media/chart%d.png", i+1))
		if err != nil {
			return err
		}
		if _, err := f.Write(img); err != nil {
			return err
		}
	}
	return z.Close()
}

// The page, in twentieths of a point: A4, and the margins of Nghị định
// 30/2020 (top and bottom 20 mm, left 30 mm, right 15 mm).
const (
	pageW       = 11906
	pageH       = 16838
	marginTop   = 1134
	marginBot   = 1134
	marginLeft  = 1701
	marginRight = 850
	textW       = pageW - marginLeft - marginRight // 9355
	firstLine   = 567                              // 1 cm
	emuPerTwip  = 635
)

// docx collects the body of word/document.xml and its pictures.
type docx struct {
	b      strings.Builder
	images [][]byte
}

// esc escapes text for an XML element or attribute.
func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// run is a piece of text with its character properties, or raw markup
// (a picture).
type run struct {
	raw                     string
	text                    string
	bold, italic, underline bool
	size                    float64 // points; 0 for the default 13 pt
}

func (r run) xml() string {
	if r.raw != "" {
		return r.raw
	}
	var p strings.Builder
	if r.bold {
		p.WriteString("<w:b/><w:bCs/>")
	}
	if r.italic {
		p.WriteString("<w:i/><w:iCs/>")
	}
	if r.underline {
		p.WriteString(`<w:u w:val="single"/>`)
	}
	if r.size > 0 {
		hp := int(r.size*2 + 0.5)
		fmt.Fprintf(&p, `<w:sz w:val="%d"/><w:szCs w:val="%d"/>`, hp, hp)
	}
	props := ""
	if p.Len() > 0 {
		props = "<w:rPr>" + p.String() + "</w:rPr>"
	}
	return `<w:r>` + props + `<w:t xml:space="preserve">` + esc(r.text) + `</w:t></w:r>`
}

// para holds a paragraph's properties.
type para struct {
	align         string // left, center, right, both
	first         int    // first-line indent
	indL, indR    int
	before, after int
	keepNext      bool
	rule          bool // a line across the paragraph (with indL, indR: a short one)
}

func (p para) xml() string {
	var b strings.Builder
	if p.keepNext {
		b.WriteString("<w:keepNext/>")
	}
	if p.rule {
		b.WriteString(`<w:pBdr><w:top w:val="single" w:sz="6" w:space="1" w:color="000000"/></w:pBdr>`)
	}
	fmt.Fprintf(&b, `<w:spacing w:before="%d" w:after="%d"/>`, p.before, p.after)
	if p.first != 0 || p.indL != 0 || p.indR != 0 {
		fmt.Fprintf(&b, `<w:ind w:left="%d" w:right="%d" w:firstLine="%d"/>`, p.indL, p.indR, p.first)
	}
	if p.align != "" {
		fmt.Fprintf(&b, `<w:jc w:val="%s"/>`, p.align)
	}
	return "<w:pPr>" + b.String() + "</w:pPr>"
}

// paragraph is the XML of one paragraph.
func paragraph(p para, runs ...run) string {
	var b strings.Builder
	b.WriteString("<w:p>" + p.xml())
	for _, r := range runs {
		b.WriteString(r.xml())
	}
	b.WriteString("</w:p>")
	return b.String()
}

func (d *docx) p(p para, runs ...run) { d.b.WriteString(paragraph(p, runs...)) }

// tcell is one table cell of width w holding paragraphs.
func tcell(w int, shade bool, paras ...string) string {
	fill := ""
	if shade {
		fill = `<w:shd w:val="clear" w:color="auto" w:fill="F2F2F2"/>`
	}
	return fmt.Sprintf(`<w:tc><w:tcPr><w:tcW w:w="%d" w:type="dxa"/>%s</w:tcPr>%s</w:tc>`, w, fill, strings.Join(paras, ""))
}

// table writes a table of the given column widths; borders draws its grid.
func (d *docx) table(widths []int, borders bool, rows [][]string, header bool) {
	total := 0
	for _, w := range widths {
		total += w
	}
	bd := "none"
	if borders {
		bd = "single"
	}
	fmt.Fprintf(&d.b, `<w:tbl><w:tblPr><w:tblW w:w="%d" w:type="dxa"/><w:tblLayout w:type="fixed"/><w:tblBorders>`, total)
	for _, side := range []string{"top", "left", "bottom", "right", "insideH", "insideV"} {
		fmt.Fprintf(&d.b, `<w:%s w:val="%s" w:sz="4" w:space="0" w:color="000000"/>`, side, bd)
	}
	d.b.WriteString(`</w:tblBorders><w:tblCellMar><w:left w:w="85" w:type="dxa"/><w:right w:w="85" w:type="dxa"/></w:tblCellMar></w:tblPr><w:tblGrid>`)
	for _, w := range widths {
		fmt.Fprintf(&d.b, `<w:gridCol w:w="%d"/>`, w)
	}
	d.b.WriteString(`</w:tblGrid>`)
	for i, row := range rows {
		d.b.WriteString("<w:tr>")
		if i == 0 && header {
			d.b.WriteString(`<w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>`)
		} else {
			d.b.WriteString(`<w:trPr><w:cantSplit/></w:trPr>`)
		}
		d.b.WriteString(strings.Join(row, ""))
		d.b.WriteString("</w:tr>")
	}
	d.b.WriteString(`</w:tbl>`)
}

// body writes the whole report, in the order of the HTML page.
func (d *docx) body(r *Report) error {
	l := r.Letterhead
	left, right := 3800, textW-3800
	center := para{align: "center"}

	// Letterhead: the issuing body and the national title side by side,
	// each over its short line; then the number and the place and date.
	var issuer []string
	for _, s := range l.Issuer {
		issuer = append(issuer, paragraph(center, run{text: s, bold: true}))
	}
	issuer = append(issuer, paragraph(para{rule: true, indL: 1150, indR: 1150, before: 40}))
	nation := []string{
		paragraph(center, run{text: "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold: true, size: 12.5}),
		paragraph(center, run{text: "Độc lập - Tự do - Hạnh phúc", bold: true, underline: true, size: 13.5}),
	}
	d.table([]int{left, right}, false, [][]string{
		{tcell(left, false, issuer...), tcell(right, false, nation...)},
		{tcell(left, false, paragraph(para{align: "center", before: 80}, run{text: "Số: ……/" + l.Symbol})),
			tcell(right, false, paragraph(para{align: "center", before: 80}, run{text: l.Place + ", ngày …… tháng …… năm ……", italic: true}))},
	}, false)

	// Title and subject, over a short line.
	d.p(para{align: "center", before: 360, keepNext: true}, run{text: "BÁO CÁO", bold: true, size: 14})
	d.p(para{align: "center", keepNext: true}, run{text: r.Subject, bold: true, size: 14})
	d.p(para{rule: true, indL: 3400, indR: 3400, before: 40, after: 120})

	body := para{align: "both", first: firstLine, after: 80}
	d.p(body, run{text: "Kỳ báo cáo: "}, run{text: r.Period.Label, bold: true},
		run{text: fmt.Sprintf(" (%s – %s). So sánh với kỳ trước: %s.", r.Period.From.In(formsvc.Vietnam).Format("02/01/2006"),
			r.Period.To.In(formsvc.Vietnam).AddDate(0, 0, -1).Format("02/01/2006"), r.Previous.Label)})
	meta := "Lập lúc " + r.Generated.In(formsvc.Vietnam).Format("02/01/2006 15:04") +
		" từ hệ thống tiếp nhận của xã. Số liệu chỉ gồm các trường dùng để đếm; không có nội dung người gửi."
	if r.Publication {
		meta += " Bản để công bố: số từ 1 đến 2 được ghi là “<3” để không ai bị nhận ra; số ghi “ẩn” được che thêm để không thể lấy tổng trừ đi các dòng khác mà suy ra số nhỏ đó."
	}
	d.p(body, run{text: meta, size: 12})

	for _, k := range r.Kinds {
		d.p(para{before: 240, after: 80, keepNext: true}, run{text: k.Label, bold: true})
		d.p(body, run{text: "Nhận trong kỳ: "}, run{text: k.Received, bold: true},
			run{text: " (kỳ trước: " + k.PrevCount + "; " + k.Change + ")."})
		png, err := chartPNG(k.ChartLabels, k.ChartValues)
		if err != nil {
			return fmt.Errorf("chart: %w", err)
		}
		d.images = append(d.images, png)
		d.p(para{align: "center", keepNext: true}, d.picture(len(d.images), k.ChartTitle))
		caption := k.Label + " nhận được theo tháng."
		if r.Publication {
			caption += " Tháng có dấu * có số nhỏ hoặc số bị ẩn nên không vẽ."
		}
		d.p(para{after: 120}, run{text: caption, italic: true, size: 12})
		for _, t := range k.Tables {
			d.p(para{before: 120, after: 40, keepNext: true}, run{text: t.Title, bold: true, size: 12})
			widths := []int{textW - 2600, 2600}
			var rows [][]string
			var head []string
			for i, h := range t.Header {
				head = append(head, tcell(widths[i], true, paragraph(para{align: "left"}, run{text: h, bold: true, size: 12})))
			}
			rows = append(rows, head)
			for _, row := range t.Rows {
				var cells []string
				for i, v := range row {
					align := "right"
					if i == 0 {
						align = "left"
					}
					cells = append(cells, tcell(widths[i], false, paragraph(para{align: align}, run{text: v, size: 12})))
				}
				rows = append(rows, cells)
			}
			d.table(widths, true, rows, true)
		}
	}
	d.p(para{align: "both", first: firstLine, before: 240, after: 240},
		run{text: "Trên đây là báo cáo " + lowerFirst(r.Subject) + "./."})

	// Recipients on the left, the signer on the right.
	half := textW / 2
	recipients := []string{paragraph(para{}, run{text: "Nơi nhận:", bold: true, italic: true, size: 12})}
	for _, s := range l.Recipients {
		recipients = append(recipients, paragraph(para{}, run{text: "- " + s, size: 11}))
	}
	var signer []string
	for _, s := range []string{l.SignerAuthority, l.SignerTitle} {
		if s != "" {
			signer = append(signer, paragraph(center, run{text: s, bold: true}))
		}
	}
	signer = append(signer, paragraph(center, run{text: "(Ký, ghi rõ họ tên, đóng dấu)", italic: true, size: 12}))
	for range 4 {
		signer = append(signer, paragraph(center))
	}
	signer = append(signer, paragraph(center, run{text: l.SignerName, bold: true}))
	d.table([]int{half, textW - half}, false, [][]string{{tcell(half, false, recipients...), tcell(textW-half, false, signer...)}}, false)

	// The section: A4 with the margins above, page numbers from the
	// second page on, at the top in the middle.
	fmt.Fprintf(&d.b, `<w:sectPr><w:headerReference w:type="default" r:id="rIdHeader"/><w:headerReference w:type="first" r:id="rIdHeaderFirst"/>`+
		`<w:pgSz w:w="%d" w:h="%d"/><w:pgMar w:top="%d" w:right="%d" w:bottom="%d" w:left="%d" w:header="567" w:footer="567" w:gutter="0"/><w:titlePg/></w:sectPr>`,
		pageW, pageH, marginTop, marginRight, marginBot, marginLeft)
	return nil
}

// picture is a run holding chart picture n (1-based), the full text
// width, described by title for screen readers.
func (d *docx) picture(n int, title string) run {
	cx := textW * emuPerTwip
	return run{raw: drawing(n, cx, cx*chartH/chartW, title)}
}

func (d *docx) document() string {
	return xml.Header + `<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"` +
		` xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"` +
		` xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"` +
		` xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"` +
		` xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><w:body>` + d.b.String() + `</w:body></w:document>`
}

// drawing is inline picture n, cx by cy EMU.
func drawing(n, cx, cy int, title string) string {
	title = esc(title)
	return fmt.Sprintf(`<w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="%[2]d" cy="%[3]d"/>`+
		`<wp:docPr id="%[1]d" name="Biểu đồ %[1]d" descr="%[4]s"/><wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr>`+
		`<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic>`+
		`<pic:nvPicPr><pic:cNvPr id="%[1]d" name="chart%[1]d.png" descr="%[4]s"/><pic:cNvPicPr/></pic:nvPicPr>`+
		`<pic:blipFill><a:blip r:embed="rIdChart%[1]d"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>`+
		`<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="%[2]d" cy="%[3]d"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr>`+
		`</pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>`, n, cx, cy, title)
}

func (d *docx) contentTypes() string {
	return xml.Header + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Default Extension="png" ContentType="image/png"/>` +
		`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>` +
		`<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>` +
		`<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>` +
		`<Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/>` +
		`<Override PartName="/word/header2.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/>` +
		`<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>` +
		`<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>` +
		`</Types>`
}

func (d *docx) documentRels() string {
	var b strings.Builder
	b.WriteString(xml.Header + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>` +
		`<Relationship Id="rIdSettings" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/>` +
		`<Relationship Id="rIdHeader" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/>` +
		`<Relationship Id="rIdHeaderFirst" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header2.xml"/>`)
	for i := range d.images {
		fmt.Fprintf(&b, `<Relationship Id="rIdChart%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/chart%d.png"/>`, i+1, i+1)
	}
	b.WriteString(`</Relationships>`)
	return b.String()
}

func (d *docx) core(r *Report) string {
	return xml.Header + `<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"` +
		` xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"` +
		` xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
		`<dc:title>` + esc("Báo cáo "+lowerFirst(r.Subject)) + `</dc:title>` +
		`<dc:creator>formsvc</dc:creator><dc:language>vi-VN</dc:language>` +
		`<dcterms:created xsi:type="dcterms:W3CDTF">` + r.Generated.UTC().Format(time.RFC3339) + `</dcterms:created>` +
		`</cp:coreProperties>`
}

const rootRels = xml.Header + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
	`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>` +
	`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>` +
	`<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>` +
	`</Relationships>`

const appProps = xml.Header + `<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>formsvc</Application></Properties>`

// styles: Times New Roman 13 pt, Vietnamese, single spacing with a little
// air between lines, as documents in the state's format are typed.
const styles = xml.Header + `<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">` +
	`<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="Times New Roman" w:cs="Times New Roman"/>` +
	`<w:sz w:val="26"/><w:szCs w:val="26"/><w:lang w:val="vi-VN" w:eastAsia="vi-VN" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>` +
	`<w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="288" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>` +
	`<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>` +
	`<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/>` +
	`<w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>` +
	`</w:styles>`

const settings = xml.Header + `<w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">` +
	`<w:defaultTabStop w:val="720"/><w:characterSpacingControl w:val="doNotCompress"/>` +
	`<w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>` +
	`</w:settings>`

const pageNumberHeader = xml.Header + `<w:hdr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">` +
	`<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:fldSimple w:instr=" PAGE "><w:r><w:t>2</w:t></w:r></w:fldSimple></w:p></w:hdr>`

const emptyHeader = xml.Header + `<w:hdr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:p/></w:hdr>`
