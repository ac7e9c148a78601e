package formsvc

import (
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/crypto/chacha20poly1305"
)

// Keys are the service's secrets, derived from one master key that lives
// in a key file outside the database (and outside its backups).
type Keys struct {
	Receipt []byte // HMAC key for receipt hashes
	// Address is the HMAC key of client addresses in rate counts and of
	// plain posts' idempotency keys; Challenge signs proof-of-work
	// challenges. Derived from the master key, they are the same in every
	// instance of the service that has the key file.
	Address   []byte
	Challenge []byte
	AEAD      cipher.AEAD // XChaCha20-Poly1305 for submission content at rest
	check     []byte
}

// LoadKeyFile reads the master key from path. A missing file is an error
// with fs.ErrNotExist in its chain: whether a new key may be made depends
// on the database (see cli's openStore), never on the key file alone.
func LoadKeyFile(path string) (*Keys, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read key file: %w", err)
	}
	master, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(master) != 32 {
		return nil, fmt.Errorf("key file %s: want 64 hexadecimal characters", path)
	}
	return DeriveKeys(master)
}

// CreateKeyFile makes a new master key in a new file at path (mode 0600,
// 32 random bytes as hex) and returns its keys. It never replaces a file:
// if one is there, the error has fs.ErrExist in its chain.
func CreateKeyFile(path string) (*Keys, error) {
	if err := createKeyFile(path); err != nil {
		return nil, err
	}
	return LoadKeyFile(path)
}

// LoadOrCreateKeyFile reads the key file at path, creating it when it does
// not exist. For tests and tools that make their own new database: the
// commands do not use it, since a missing key file next to a database
// that holds data must stop them, not be replaced.
func LoadOrCreateKeyFile(path string) (*Keys, error) {
	k, err := LoadKeyFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if k, err = CreateKeyFile(path); errors.Is(err, fs.ErrExist) {
			return LoadKeyFile(path) // made meanwhile by someone else
		}
	}
	return k, err
}

// DeriveKeys derives the purpose keys from a 32-byte master key with HKDF.
func DeriveKeys(master []byte) (*Keys, error) {
	rk, err := hkdf.Key(sha256.New, master, nil, "formsvc receipt hmac v1", 32)
	if err != nil {
		return nil, err
	}
	ek, err := hkdf.Key(sha256.New, master, nil, "formsvc content aead v1", chacha20poly1305.KeySize)
	if err != nil {
		return nil, err
	}
	aead, err := chacha20poly1305.NewX(ek)
	if err != nil {
		return nil, err
	}
	ck, err := hkdf.Key(sha256.New, master, nil, "formsvc key check v1", 32)
	if err != nil {
		return nil, err
	}
	ak, err := hkdf.Key(sha256.New, master, nil, "formsvc address hmac v1", 32)
	if err != nil {
		return nil, err
	}
	pk, err := hkdf.Key(sha256.New, master, nil, "formsvc challenge hmac v1", 32)
	if err != nil {
		return nil, err
	}
	mac := hmac.New(sha256.New, ck)
	mac.Write([]byte("formsvc: the database of this key file"))
	return &Keys{Receipt: rk, Address: ak, Challenge: pk, AEAD: aead, check: mac.Sum(nil)}, nil
}

// Check is the key's check value: a database stores it to recognise its
// own key file. It is an HMAC of a fixed label under a key of its own,
// derived from the master key: it reveals nothing of the other keys, and
// is not the key.
func (k *Keys) Check() []byte { return append([]byte(nil), k.check...) }

func createKeyFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create key folder: %w", err)
	}
	master := make([]byte, 32)
	rand.Read(master)
	tmp, err := os.CreateTemp(filepath.Dir(path), ".key-*")
	if err != nil {
		return fmt.Errorf("create key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.WriteString(hex.EncodeToString(master) + "\n"); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	// Link, not rename: never replace a key file that appeared meanwhile.
	if err := os.Link(tmp.Name(), path); err != nil {
		return fmt.Errorf("create key file: %w", err)
	}
	return syncDir(filepath.Dir(path))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	if err := d.Sync(); err != nil {
		d.Close()
		return fmt.Errorf("sync key folder: %w", err)
	}
	return d.Close()
}

// Seal encrypts plaintext. aad, the additional data, must name the
// value's own place (the store uses table, column, row and record: see
// formsvc/sqlite/seal.go), so that the ciphertext does not open anywhere
// else. The nonce is prepended.
func (k *Keys) Seal(plaintext, aad []byte) []byte {
	nonce := make([]byte, k.AEAD.NonceSize(), k.AEAD.NonceSize()+len(plaintext)+k.AEAD.Overhead())
	rand.Read(nonce)
	return k.AEAD.Seal(nonce, nonce, plaintext, aad)
}

// Open decrypts what Seal made.
func (k *Keys) Open(sealed, aad []byte) ([]byte, error) {
	n := k.AEAD.NonceSize()
	if len(sealed) < n+k.AEAD.Overhead() {
		return nil, errors.New("open sealed data: too short")
	}
	return k.AEAD.Open(nil, sealed[:n], sealed[n:], aad)
}
