package formsvc_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"io"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

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
	p, err := formsvc.CleanPhoto(t.Context(), in)
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
	p, err := formsvc.CleanPhoto(t.Context(), phototest.JPEGWithGPS(t, 40, 20, 6))
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
	p, err := formsvc.CleanPhoto(t.Context(), in)
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
		if _, err := formsvc.CleanPhoto(t.Context(), data); err == nil {
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
	if _, err := formsvc.CleanPhoto(t.Context(), b); err == nil {
		t.Errorf("CleanPhoto accepted a 10-gigapixel image")
	}
}

// Photo bombs: small files that declare huge images, refused from their
// header before anything is decoded.
func TestCleanPhotoRefusesBombsBeforeDecoding(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		msg  []string // in the public message; none: not a readable image
	}{
		// The files of the attack: 287 KB, 391 KB and 364 KB that image/jpeg
		// and image/png decode into 735 MB, 1.2 GB and 400 MB.
		{"progressive 7000x7000", phototest.ProgressiveJPEG(7000, 7000, 3), []string{"7000×7000", "JPEG lũy tiến", "chỉ nhận đến khoảng", "nhận đến 50 triệu"}},
		{"progressive CMYK 7071x7071", phototest.ProgressiveJPEG(7071, 7071, 4), []string{"7071×7071", "JPEG CMYK lũy tiến", "khoảng"}},
		{"16-bit PNG 7071x7071", phototest.PNG16(7071, 7071), []string{"PNG 16 bit", "chỉ nhận đến khoảng"}},
		{"over the pixel cap", phototest.ProgressiveJPEG(9000, 9000, 1), []string{"9000×9000", "81 triệu", "Chỉ nhận ảnh đến 50 triệu", "4000×3000", "ảnh chụp màn hình"}},
		// Headers that declare a photo and end before its data: image/jpeg
		// would allocate the image first.
		{"truncated header 4000x3000", phototest.TruncatedJPEG(4000, 3000), nil},
		{"truncated header 65535x65535", phototest.TruncatedJPEG(65535, 65535), nil},
		{"progressive cut short", phototest.ProgressiveJPEG(4000, 3000, 3)[:20_000], nil},
		{"16-bit PNG cut short", phototest.PNG16(4000, 3000)[:1000], nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			alloc := allocated(func() { _, err = formsvc.CleanPhoto(t.Context(), tt.data) })
			if err == nil {
				t.Fatal("CleanPhoto accepted it")
			}
			// Decoding any of them takes 75 MB at least.
			if alloc > 1<<20 {
				t.Errorf("refusing it allocated %d bytes: it was decoded", alloc)
			}
			var fe *formsvc.Error
			if tt.msg == nil {
				if errors.As(err, &fe) {
					t.Errorf("error = %v, want an unreadable file", err)
				}
				return
			}
			if !errors.As(err, &fe) || fe.Code != formsvc.EINVALID {
				t.Fatalf("error = %v, want a formsvc.Error with code EINVALID", err)
			}
			for _, m := range tt.msg {
				if !strings.Contains(fe.Message, m) {
					t.Errorf("message %q lacks %q", fe.Message, m)
				}
			}
		})
	}
}

// allocated is how many bytes f allocates (runtime.MemStats.TotalAlloc:
// deterministic for a given Go release, whatever the collector does).
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// A photo taken in any of the eight orientations comes out the right way
// up, scaled down to PhotoLongSide when larger: a colour one (turned on
// its YCbCr planes) and a gray one.
func TestCleanPhotoTurnsAndScales(t *testing.T) {
	const W, H = 3000, 400 // upright; the long side is scaled to 2560
	// The picture, upright: a marked block in the top-left corner.
	colours := map[string]struct {
		img         func(w, h int) draw.Image
		block, rest color.Color
		isBlock     func(r, g, b, a uint32) bool
	}{
		"colour": {func(w, h int) draw.Image { return image.NewRGBA(image.Rect(0, 0, w, h)) },
			color.RGBA{220, 20, 20, 255}, color.RGBA{20, 20, 220, 255}, func(r, g, b, _ uint32) bool { return r > b }},
		"gray": {func(w, h int) draw.Image { return image.NewGray(image.Rect(0, 0, w, h)) },
			color.Gray{230}, color.Gray{30}, func(r, g, b, _ uint32) bool { return r > 0x8000 }},
	}
	// Where the upright top-left corner lies in the stored pixels, from
	// the EXIF meaning of each value: o 2 keeps the rows but starts
	// them on the right, 6 stores the rows as columns from the top-right
	// down (the phone turned a quarter clockwise), and so on.
	corner := map[int]struct{ right, bottom bool }{
		1: {false, false}, 2: {true, false}, 3: {true, true}, 4: {false, true},
		5: {false, false}, 6: {false, true}, 7: {true, true}, 8: {true, false},
	}
	for name, c := range colours {
		for o := 1; o <= 8; o++ {
			t.Run(name+"/"+strconv.Itoa(o), func(t *testing.T) {
				sw, sh := W, H
				bw, bh := W/5, H/2 // the block, stored
				if o >= 5 {
					sw, sh, bw, bh = H, W, H/2, W/5
				}
				stored := c.img(sw, sh)
				draw.Draw(stored, stored.Bounds(), image.NewUniform(c.rest), image.Point{}, draw.Src)
				block := image.Rect(0, 0, bw, bh)
				if corner[o].right {
					block = block.Add(image.Pt(sw-bw, 0))
				}
				if corner[o].bottom {
					block = block.Add(image.Pt(0, sh-bh))
				}
				draw.Draw(stored, block, image.NewUniform(c.block), image.Point{}, draw.Src)
				p, err := formsvc.CleanPhoto(t.Context(), phototest.OrientedJPEG(t, stored, o))
				if err != nil {
					t.Fatal(err)
				}
				img, err := jpeg.Decode(bytes.NewReader(p.Data))
				if err != nil {
					t.Fatal(err)
				}
				w, h := img.Bounds().Dx(), img.Bounds().Dy()
				if w != 2560 || h != 341 {
					t.Fatalf("size = %dx%d, want 2560x341", w, h)
				}
				for _, pt := range []image.Point{{w / 10, h / 4}, {w * 9 / 10, h / 4}, {w / 10, h * 3 / 4}, {w * 9 / 10, h * 3 / 4}} {
					want := pt.X < w/5 && pt.Y < h/2
					if got := c.isBlock(img.At(pt.X, pt.Y).RGBA()); got != want {
						t.Errorf("pixel %v in the block: %v, want %v", pt, got, want)
					}
				}
			})
		}
	}
}

// Photos much larger than PhotoLongSide (48 MP modes) are reduced on
// their planes, then scaled: the picture survives, and so does a PNG's
// kind.
func TestCleanPhotoScalesLargePhotos(t *testing.T) {
	half := func(m draw.Image) draw.Image {
		b := m.Bounds()
		draw.Draw(m, image.Rect(0, 0, b.Dx()/2, b.Dy()), image.NewUniform(color.RGBA{220, 20, 20, 255}), image.Point{}, draw.Src)
		draw.Draw(m, image.Rect(b.Dx()/2, 0, b.Dx(), b.Dy()), image.NewUniform(color.RGBA{20, 20, 220, 255}), image.Point{}, draw.Src)
		return m
	}
	var pngData bytes.Buffer
	png.Encode(&pngData, half(image.NewNRGBA(image.Rect(0, 0, 5200, 300))))
	tests := []struct {
		name       string
		data       []byte
		ct         string
		w, h       int
		redOnLeft  bool
		decodeWith func(io.Reader) (image.Image, error)
	}{
		{"JPEG 4:2:0, reduced by 3", phototest.OrientedJPEG(t, half(image.NewRGBA(image.Rect(0, 0, 8000, 300))), 1), "image/jpeg", 2560, 96, true, jpeg.Decode},
		{"gray JPEG, reduced by 2", phototest.OrientedJPEG(t, half(image.NewGray(image.Rect(0, 0, 300, 5200))), 1), "image/jpeg", 148, 2560, false, jpeg.Decode},
		{"PNG", pngData.Bytes(), "image/png", 2560, 148, true, png.Decode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := formsvc.CleanPhoto(t.Context(), tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if p.ContentType != tt.ct {
				t.Errorf("ContentType = %q, want %q", p.ContentType, tt.ct)
			}
			img, err := tt.decodeWith(bytes.NewReader(p.Data))
			if err != nil {
				t.Fatal(err)
			}
			if b := img.Bounds(); b.Dx() != tt.w || b.Dy() != tt.h {
				t.Fatalf("size = %dx%d, want %dx%d", b.Dx(), b.Dy(), tt.w, tt.h)
			}
			r, g, b, _ := img.At(tt.w/4, tt.h/2).RGBA()
			if tt.redOnLeft && !(r>>8 > 180 && b>>8 < 60) {
				t.Errorf("left quarter = %d,%d,%d, want red", r>>8, g>>8, b>>8)
			}
			if !tt.redOnLeft && r>>8 != b>>8 {
				t.Errorf("gray photo has colour %d,%d,%d", r>>8, g>>8, b>>8)
			}
		})
	}
}

// The budget: decodes wait for their share, and a photo that waits too
// long gets the busy error; a photo larger than the whole budget is
// refused without waiting.
func TestPhotoCleanerBudget(t *testing.T) {
	small := phototest.JPEGWithGPS(t, 40, 20, 1)
	c := formsvc.NewPhotoCleaner(32<<20, 20*time.Millisecond)
	release, err := c.Reserve(t.Context(), 32<<20)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Clean(t.Context(), small)
	var fe *formsvc.Error
	if !errors.As(err, &fe) || fe.Code != formsvc.EUNAVAILABLE || fe.Message != formsvc.MsgPhotoBusy {
		t.Fatalf("Clean with the budget taken: %v, want EUNAVAILABLE and MsgPhotoBusy", err)
	}
	release()

	// With a longer wait, a photo waits for the budget to come back.
	c = formsvc.NewPhotoCleaner(32<<20, time.Minute)
	release, _ = c.Reserve(t.Context(), 32<<20)
	done := make(chan error, 1)
	go func() {
		_, err := c.Clean(t.Context(), small)
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("Clean ended while the budget was taken: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	release()
	if err := <-done; err != nil {
		t.Fatalf("Clean after the budget came back: %v", err)
	}

	// The request's end ends the wait.
	release, _ = c.Reserve(t.Context(), 32<<20)
	defer release()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := c.Clean(ctx, small); !errors.As(err, &fe) || fe.Code != formsvc.EUNAVAILABLE {
		t.Errorf("Clean with its request gone: %v, want EUNAVAILABLE", err)
	}

	// 3000x400 needs some 10 MB: over a budget of 4 MB, refused at once.
	tiny := formsvc.NewPhotoCleaner(4<<20, time.Minute)
	hold, _ := tiny.Reserve(t.Context(), 4<<20)
	defer hold()
	_, err = tiny.Clean(t.Context(), phototest.PhoneJPEG(3000, 400, 1))
	if !errors.As(err, &fe) || fe.Code != formsvc.EINVALID || !strings.Contains(fe.Message, "quá lớn") {
		t.Errorf("Clean over the budget: %v, want EINVALID saying it is too large", err)
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
	f.Add(phototest.ProgressiveJPEG(17, 9, 3))
	f.Add(phototest.ProgressiveJPEG(9, 17, 4))
	f.Add(phototest.TruncatedJPEG(16, 16))
	f.Add(phototest.PNG16(5, 3))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := formsvc.CleanPhoto(t.Context(), data)
		if err != nil {
			return
		}
		if bytes.Contains(p.Data, []byte("Exif")) {
			t.Fatalf("EXIF survived")
		}
	})
}
