package formsvc_test

import (
	"bytes"
	"errors"
	"io/fs"
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

func TestKeyFileIsNeverMadeOverAnother(t *testing.T) {
	path := filepath.Join(t.TempDir(), "formsvc.key")
	if _, err := formsvc.LoadKeyFile(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("LoadKeyFile of a missing file: %v, want fs.ErrNotExist", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("LoadKeyFile made a file: %v", err)
	}
	k1, err := formsvc.CreateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	if _, err := formsvc.CreateKeyFile(path); !errors.Is(err, fs.ErrExist) {
		t.Errorf("CreateKeyFile over an existing file: %v, want fs.ErrExist", err)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Errorf("CreateKeyFile changed an existing key file")
	}
	k2, err := formsvc.LoadKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(k1.Check(), k2.Check()) {
		t.Errorf("the check value of a reloaded key differs")
	}
}

func TestCheckValueNamesTheKeyWithoutRevealingIt(t *testing.T) {
	master := bytes.Repeat([]byte{7}, 32)
	a, _ := formsvc.DeriveKeys(master)
	b, _ := formsvc.DeriveKeys(master)
	c, _ := formsvc.DeriveKeys(bytes.Repeat([]byte{8}, 32))
	if len(a.Check()) != 32 || !bytes.Equal(a.Check(), b.Check()) {
		t.Errorf("one key, two check values: %x, %x", a.Check(), b.Check())
	}
	if bytes.Equal(a.Check(), c.Check()) {
		t.Errorf("two keys, one check value")
	}
	if bytes.Equal(a.Check(), master) || bytes.Equal(a.Check(), a.Receipt) {
		t.Errorf("the check value is a key")
	}
}
