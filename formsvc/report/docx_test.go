package report_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc/report"
)

// docxParts unzips a .docx and checks that every XML part is well formed.
func docxParts(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string][]byte{}
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		parts[f.Name] = body
		if strings.HasSuffix(f.Name, ".xml") || strings.HasSuffix(f.Name, ".rels") {
			dec := xml.NewDecoder(bytes.NewReader(body))
			for {
				if _, err := dec.Token(); err != nil {
					if !errors.Is(err, io.EOF) {
						t.Errorf("%s is not well-formed XML: %v", f.Name, err)
					}
					break
				}
			}
		}
	}
	return parts
}

// TestWriteDOCXParts: the package holds the parts a word processor needs,
// with the page of Nghị định 30/2020 (A4; margins 20, 15, 20, 30 mm) and
// Times New Roman 13 pt.
func TestWriteDOCXParts(t *testing.T) {
	r := build(t, store(t), true)
	var buf bytes.Buffer
	if err := report.WriteDOCX(&buf, r); err != nil {
		t.Fatal(err)
	}
	parts := docxParts(t, buf.Bytes())
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/styles.xml",
		"word/_rels/document.xml.rels", "word/media/chart1.png", "word/media/chart2.png"} {
		if parts[name] == nil {
			t.Errorf("no part %s", name)
		}
	}
	doc := string(parts["word/document.xml"])
	for _, want := range []string{
		`<w:pgSz w:w="11906" w:h="16838"/>`,
		`<w:pgMar w:top="1134" w:right="850" w:bottom="1134" w:left="1701"`,
		"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
		"&lt;3", // a publication's small counts, escaped
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("document.xml lacks %q", want)
		}
	}
	if !strings.Contains(string(parts["word/styles.xml"]), `w:ascii="Times New Roman"`) || !strings.Contains(string(parts["word/styles.xml"]), `<w:sz w:val="26"/>`) {
		t.Error("the default type is not Times New Roman 13 pt")
	}
}

// TestDOCXOpensInLibreOffice opens the .docx in a real word processor
// (LibreOffice, headless; scripts/test.sh installs Debian's
// libreoffice-writer-nogui) and reads the text it finds there.
func TestDOCXOpensInLibreOffice(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		if soffice, err = exec.LookPath("libreoffice"); err != nil {
			t.Fatal("LibreOffice is not installed: run scripts/test.sh, or apt-get install libreoffice-writer-nogui")
		}
	}
	db := store(t)
	dir := t.TempDir()
	var files []string
	for _, publication := range []bool{false, true} {
		var buf bytes.Buffer
		if err := report.WriteDOCX(&buf, build(t, db, publication)); err != nil {
			t.Fatal(err)
		}
		name := filepath.Join(dir, map[bool]string{false: "bao-cao.docx", true: "cong-bo.docx"}[publication])
		if err := os.WriteFile(name, buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, name)
	}
	out := filepath.Join(dir, "out")
	// A bound for a stuck process, not a timing assertion.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	args := append([]string{"--headless", "--norestore", "-env:UserInstallation=file://" + filepath.Join(dir, "profile"),
		"--convert-to", "txt:Text", "--outdir", out}, files...)
	cmd := exec.CommandContext(ctx, soffice, args...)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, b)
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatalf("LibreOffice did not convert the .docx: %v", err)
		}
		return strings.ReplaceAll(strings.TrimPrefix(string(b), "\ufeff"), "\r\n", "\n")
	}
	text := read("bao-cao.txt")
	for _, want := range []string{
		"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n",
		"ỦY BAN NHÂN DÂN\nXÃ THỬ\n",
		"Số: ……/BC-UBND\n",
		"Thử, ngày …… tháng …… năm ……\n",
		"BÁO CÁO\nKết quả tiếp nhận, xử lý tin báo và yêu cầu hỗ trợ về phòng, chống mại dâm và mua bán người 6 tháng đầu năm 2026\n",
		// Table figures: a cell per line.
		"Số hồ sơ nhận trong kỳ\n7\n",
		"Quán karaoke\n5\n",
		"Cao (có trẻ em hoặc dấu hiệu ép buộc)\n1\n",
		"01/2026\n5\n",
		"Đã giới thiệu tới dịch vụ phù hợp\n1\n",
		"Nơi nhận:\n- Ủy ban nhân dân tỉnh (để báo cáo);\n- Lưu: VT.\n",
		"TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\n(Ký, ghi rõ họ tên, đóng dấu)\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("LibreOffice's text of the .docx lacks %q", want)
		}
	}
	if pub := read("cong-bo.txt"); !strings.Contains(pub, "Trên mạng (mạng xã hội, ứng dụng, trang web)\n<3\n") {
		t.Errorf("the publication .docx lacks its \"<3\" cell:\n%s", pub)
	}
	if t.Failed() {
		t.Logf("text:\n%s", text)
	}
}
