package formsvc_test

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"

	"github.com/hoaphong/phongchongmaidam/formsvc"
	"github.com/hoaphong/phongchongmaidam/formsvc/phototest"
)

func TestCleanPhotoRemovesGPSAndAllMetadata(t *testing.T) {
	in := phototest.JPEGWithGPS(t, 40, 20, 1)
	// The fixture really carries what must go.
	for _, marker := range [][]byte{[]byte("Exif\x00\x00"), phototest.GPSLatitudeBytes, []byte(phototest.XMPMarker), []byte(phototest.CommentMarker)} {
		if !bytes.Contains(in, marker) {
			t.Fatalf("fixture lacks %q", marker)
		}
	}
	p, err := formsvc.CleanPhoto(in)
	if err != nil {
		t.Fatal(err)
	}
	if p.ContentType != "image/jpeg" {
		t.Errorf("ContentType = %q", p.ContentType)
	}
	for _, marker := range [][]byte{[]byte("Exif"), phototest.GPSLatitudeBytes, []byte(phototest.XMPMarker), []byte(phototest.CommentMarker), []byte("GPS")} {
		if bytes.Contains(p.Data, marker) {
			t.Errorf("cleaned photo still holds %q", marker)
		}
	}
	if segs := phototest.Segments(p.Data); segs[0xE1] > 0 || segs[0xFE] > 0 || segs[0xED] > 0 {
		t.Errorf("cleaned photo has metadata segments: %v", segs)
	}
	img, err := jpeg.Decode(bytes.NewReader(p.Data))
	if err != nil {
		t.Fatalf("cleaned photo does not decode: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 40 || b.Dy() != 20 {
		t.Errorf("size = %v, want 40x20", b)
	}
}

func TestCleanPhotoAppliesOrientation(t *testing.T) {
	// Orientation 6: the camera held upright, pixels stored sideways.
	p, err := formsvc.CleanPhoto(phototest.JPEGWithGPS(t, 40, 20, 6))
	if err != nil {
		t.Fatal(err)
	}
	img, err := jpeg.Decode(bytes.NewReader(p.Data))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 20 || b.Dy() != 40 {
		t.Errorf("size = %v, want 20x40 after turning", b)
	}
}

func TestCleanPhotoPNGDropsTextChunks(t *testing.T) {
	var buf bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	img.Set(1, 1, color.RGBA{200, 0, 0, 255})
	png.Encode(&buf, img)
	in := insertPNGChunk(buf.Bytes(), "tEXt", []byte("Comment\x00vi tri 21.0285,105.8542"))
	if !bytes.Contains(in, []byte("21.0285")) {
		t.Fatal("fixture lacks the text chunk")
	}
	p, err := formsvc.CleanPhoto(in)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(p.Data, []byte("21.0285")) || bytes.Contains(p.Data, []byte("tEXt")) {
		t.Errorf("cleaned PNG still has its text chunk")
	}
	if p.ContentType != "image/png" {
		t.Errorf("ContentType = %q", p.ContentType)
	}
}

func TestCleanPhotoJudgesByContent(t *testing.T) {
	tests := map[string][]byte{
		"html":      []byte("<html><script>alert(1)</script></html>"),
		"gif":       []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
		"truncated": phototest.JPEGWithGPS(t, 40, 20, 1)[:200],
		"empty":     {},
	}
	for name, data := range tests {
		if _, err := formsvc.CleanPhoto(data); err == nil {
			t.Errorf("%s: CleanPhoto accepted it", name)
		}
	}
}

func TestCleanPhotoRefusesDecompressionBombs(t *testing.T) {
	// A PNG header that declares 100000 x 100000 pixels.
	var buf bytes.Buffer
	png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1, 1)))
	b := buf.Bytes()
	binary.BigEndian.PutUint32(b[16:], 100000)
	binary.BigEndian.PutUint32(b[20:], 100000)
	if _, err := formsvc.CleanPhoto(b); err == nil {
		t.Errorf("CleanPhoto accepted a 10-gigapixel image")
	}
}

// insertPNGChunk puts a chunk right after the IHDR chunk.
func insertPNGChunk(p []byte, typ string, data []byte) []byte {
	const ihdrEnd = 8 + 25
	chunk := phototest.PNGChunk(typ, data)
	out := append([]byte{}, p[:ihdrEnd]...)
	out = append(out, chunk...)
	return append(out, p[ihdrEnd:]...)
}

func FuzzCleanPhoto(f *testing.F) {
	f.Add(phototest.JPEGWithGPS(f, 8, 8, 6))
	var buf bytes.Buffer
	png.Encode(&buf, image.NewGray(image.Rect(0, 0, 2, 2)))
	f.Add(buf.Bytes())
	f.Add([]byte("\xff\xd8\xff\xe1\x00\x10Exif\x00\x00MM\x00*\x00\x00\x00\x08"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := formsvc.CleanPhoto(data)
		if err != nil {
			return
		}
		if bytes.Contains(p.Data, []byte("Exif")) {
			t.Fatalf("EXIF survived")
		}
	})
}
