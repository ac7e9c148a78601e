package formsvc_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

func TestKeyFileIsCreatedOnceAndReused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "formsvc.key")
	k1, err := formsvc.LoadOrCreateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode = %v, want 0600", fi.Mode().Perm())
	}
	k2, err := formsvc.LoadOrCreateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sealed := k1.Seal([]byte("bí mật"), []byte("aad"))
	plain, err := k2.Open(sealed, []byte("aad"))
	if err != nil || string(plain) != "bí mật" {
		t.Fatalf("Open with the reloaded key = %q, %v", plain, err)
	}
	if !bytes.Equal(k1.Receipt, k2.Receipt) {
		t.Errorf("receipt keys differ after reload")
	}
}

func TestSealRefusesTamperingAndOtherRecords(t *testing.T) {
	k, err := formsvc.DeriveKeys(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	sealed := k.Seal([]byte("nội dung"), []byte("tip"))
	if bytes.Contains(sealed, []byte("nội dung")) {
		t.Fatalf("sealed data holds the plaintext")
	}
	if _, err := k.Open(sealed, []byte("support")); err == nil {
		t.Errorf("Open with another record's AAD succeeded")
	}
	sealed[len(sealed)-1] ^= 1
	if _, err := k.Open(sealed, []byte("tip")); err == nil {
		t.Errorf("Open of tampered data succeeded")
	}
	if _, err := k.Open([]byte("short"), nil); err == nil {
		t.Errorf("Open of short data succeeded")
	}
}

func TestBadKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "formsvc.key")
	os.WriteFile(path, []byte("not hex\n"), 0o600)
	if _, err := formsvc.LoadOrCreateKeyFile(path); err == nil {
		t.Errorf("a bad key file was accepted")
	}
}
