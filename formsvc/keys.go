package formsvc

import (
	"crypto/cipher"
	"crypto/hkdf"
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
	Receipt []byte      // HMAC key for receipt hashes
	AEAD    cipher.AEAD // XChaCha20-Poly1305 for submission content at rest
}

// LoadOrCreateKeyFile reads the master key from path, creating the file
// (mode 0600, 32 random bytes as hex) when it does not exist.
func LoadOrCreateKeyFile(path string) (*Keys, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if err := createKeyFile(path); err != nil {
			return nil, err
		}
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("read key file: %w", err)
	}
	master, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(master) != 32 {
		return nil, fmt.Errorf("key file %s: want 64 hexadecimal characters", path)
	}
	return DeriveKeys(master)
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
	return &Keys{Receipt: rk, AEAD: aead}, nil
}

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
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("create key file: %w", err)
	}
	return nil
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
