package web

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/PuerkitoBio/goquery"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// ContractFile is what Hugo writes beside the site's pages
// (site/layouts/home.contract.json): the SHA-256 of the forms.yaml the
// site was built from, and the slots of each page the service fills.
const ContractFile = "formsvc-contract.json"

// ErrNoSite means the site folder holds no built site at all.
var ErrNoSite = errors.New("no built site")

type contract struct {
	FormsSHA256 string              `json:"forms_sha256"`
	Pages       map[string][]string `json:"pages"`
}

// neededSlots are the pages this service fills when it answers a plain
// form post, and the data- slots it fills in each (see pages.go).
func neededSlots(spec *formsvc.Spec) map[string][]string {
	form := []string{"data-error-summary", "data-field", "data-error-for", "data-error-text"}
	need := map[string][]string{ErrorPagePath: {"data-error-message", "data-back"}}
	for _, f := range []*formsvc.Form{spec.Tip, spec.Support, spec.FollowUp, spec.FollowUpMessage} {
		if f.Page != "" {
			need[f.Page] = append(need[f.Page], form...)
		}
	}
	for _, d := range spec.Kinds {
		need[d.Form.Page+ConfirmationChild] = []string{"data-receipt", "data-receipt-block", "data-receipt-missing"}
	}
	need[spec.FollowUp.Page] = append(need[spec.FollowUp.Page], "data-follow-up-result", "data-fu-kind", "data-fu-status",
		"data-fu-messages", "data-fu-message", "data-fu-empty", "data-fu-notice", "data-fu-title")
	return need
}

// CheckSite checks that the site in dir was built from formsYAML (the
// bytes this binary validates with) and that every page this service
// fills has its slots. A site from another forms.yaml would give people
// errors on fields they filled in right. ErrNoSite when dir holds no site.
func CheckSite(dir string, spec *formsvc.Spec, formsYAML []byte) error {
	rebuild := "Hãy dựng lại trang web từ đúng mã nguồn của chương trình này (go tool hugo --source site --panicOnWarning) rồi chạy lại."
	raw, err := os.ReadFile(filepath.Join(dir, ContractFile))
	if errors.Is(err, os.ErrNotExist) {
		if _, ierr := os.Stat(filepath.Join(dir, "index.html")); ierr != nil {
			return ErrNoSite
		}
		return fmt.Errorf("trang web ở %s không có %s (được dựng bằng phiên bản cũ). %s", dir, ContractFile, rebuild)
	}
	if err != nil {
		return fmt.Errorf("không đọc được %s: %w", filepath.Join(dir, ContractFile), err)
	}
	var c contract
	if err := json.Unmarshal(raw, &c); err != nil {
		return fmt.Errorf("%s hỏng: %v. %s", filepath.Join(dir, ContractFile), err, rebuild)
	}
	sum := sha256.Sum256(formsYAML)
	if c.FormsSHA256 != hex.EncodeToString(sum[:]) {
		return fmt.Errorf("trang web ở %s được dựng từ một data/forms.yaml khác với bản trong chương trình: người gửi sẽ gặp lỗi ở những ô họ điền đúng. %s", dir, rebuild)
	}
	need := neededSlots(spec)
	paths := make([]string, 0, len(need))
	for p := range need {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(strings.Trim(p, "/")), "index.html"))
		if err != nil {
			return fmt.Errorf("trang web ở %s thiếu trang %s. %s", dir, p, rebuild)
		}
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(b)))
		if err != nil {
			return fmt.Errorf("trang %s: %w", p, err)
		}
		for _, slot := range need[p] {
			if !slices.Contains(c.Pages[p], slot) || doc.Find("["+slot+"]").Length() == 0 {
				return fmt.Errorf("trang %s của trang web ở %s thiếu chỗ %s mà dịch vụ điền vào. %s", p, dir, slot, rebuild)
			}
		}
	}
	return nil
}
