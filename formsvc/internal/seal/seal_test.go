package seal_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/internal/seal"
)

// The additional data is part of every stored value: a change to its
// form would make every database unreadable.
func TestAADIsStable(t *testing.T) {
	s := &formsvc.Submission{ID: 7, Kind: formsvc.KindTip}
	for _, tt := range []struct {
		p    seal.Place
		want string
	}{
		{seal.Content(7, formsvc.KindTip, []byte{1, 2}), "formsvc aad v2\x00submissions.content\x007\x007\x00tip\x00\x01\x02"},
		{seal.Photo(1, formsvc.KindSupport, []byte("h")), "formsvc aad v2\x00photos.data\x001\x000\x00support\x00h"},
		{seal.Message(3, s), "formsvc aad v2\x00messages.body\x003\x007\x00tip"},
		{seal.TOTP(4), "formsvc aad v2\x00officers.totp_secret\x004"},
	} {
		if got := string(tt.p.AAD()); got != tt.want {
			t.Errorf("AAD = %q, want %q", got, tt.want)
		}
	}
}

func TestOpensOnlyInItsPlace(t *testing.T) {
	k, err := formsvc.DeriveKeys(bytes.Repeat([]byte{9}, 32))
	if err != nil {
		t.Fatal(err)
	}
	s := &formsvc.Submission{ID: 7, Kind: formsvc.KindTip}
	b := seal.Seal(k, []byte("lời nhắn"), seal.Message(3, s))
	if got, err := seal.Open(k, b, seal.Message(3, s)); err != nil || string(got) != "lời nhắn" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := seal.Open(k, b, seal.Message(4, s)); !errors.Is(err, seal.ErrUnreadable) {
		t.Errorf("in another row: err = %v, want ErrUnreadable", err)
	}
}
