package console_test

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// BenchmarkSearchByWords measures the worst search an officer can ask
// for: words that match nothing, over more records than the bound, so
// that every search opens (decrypts) searchScan records:
//
//	go test -run '^$' -bench SearchByWords -benchtime 20x ./formsvc/console
func BenchmarkSearchByWords(b *testing.B) {
	a := newApp(b)
	ctx := context.Background()
	at := time.Now().Add(-time.Hour)
	for i := range 2500 {
		s := &formsvc.Submission{Kind: formsvc.KindTip, Status: formsvc.StatusReceived, Priority: formsvc.PriorityNormal,
			Category: "karaoke", CreatedAt: at, Content: formsvc.Content{Text: map[string]string{
				"category": "karaoke", "location": fmt.Sprintf("Quán hát số %d", i),
				"description": "Quán mở cửa quá nửa đêm, có nhiều người lạ ra vào, nghi có môi giới mại dâm."}}}
		if err := a.db.CreateSubmission(ctx, s, []byte(fmt.Sprintf("receipt-hash-%030d", i))); err != nil {
			b.Fatal(err)
		}
	}
	br := a.loggedIn("congan")
	q := "/officer/?q=" + url.QueryEscape("không có từ này")
	for b.Loop() {
		if res, doc := br.get(q); res.StatusCode != 200 || doc.Find(".search-result").Length() != 1 {
			b.Fatalf("search: %d", res.StatusCode)
		}
	}
}
