package formsvc

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"runtime"
	"sync"
	"testing"

	"github.com/hoaphong/phongchongmaidam/formsvc/phototest"
)

// allocated is how many bytes f allocates (runtime.MemStats.TotalAlloc:
// deterministic for a given Go release, whatever the collector does).
func allocated(f func()) int64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return int64(after.TotalAlloc - before.TotalAlloc)
}

// noisy makes a w×h RGBA image of pseudo-random pixels: the worst case
// for the encoded output's size.
func noisy(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	seed := uint32(7)
	for i := 0; i < len(m.Pix); i += 4 {
		seed ^= seed << 13
		seed ^= seed >> 17
		seed ^= seed << 5
		m.Pix[i], m.Pix[i+1], m.Pix[i+2], m.Pix[i+3] = uint8(seed), uint8(seed>>8), uint8(seed>>16), 255
	}
	return m
}

func encodePNG(t *testing.T, m image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func encodeJPEG(t *testing.T, m image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: 100}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// calibrationPhotos are decodable photos of every kind the estimates
// distinguish: some wider than PhotoLongSide (scaled, and reduced first
// from twice as wide), some turned. Long and thin, to stay quick.
func calibrationPhotos(t *testing.T) map[string][]byte {
	t.Helper()
	calibrationOnce.Do(func() {
		wide := noisy(2800, 300)
		gray := image.NewGray(image.Rect(0, 0, 6000, 200))
		copy(gray.Pix, noisy(6000, 50).Pix)
		paletted := image.NewPaletted(image.Rect(0, 0, 900, 600), color.Palette{color.Black, color.White, color.RGBA{200, 0, 0, 255}})
		for i := range paletted.Pix {
			paletted.Pix[i] = uint8(i*7/5) % 3
		}
		tall := noisy(300, 2800)
		nrgba := &image.NRGBA{Pix: tall.Pix, Stride: tall.Stride, Rect: tall.Rect}
		for i := 3; i < len(nrgba.Pix); i += 4 {
			nrgba.Pix[i] = uint8(i)
		}
		calibration = map[string][]byte{
			"phone 4:2:0 upright":      phototest.PhoneJPEG(2800, 300, 1),
			"phone 4:2:0 turned":       phototest.PhoneJPEG(2800, 300, 6),
			"phone 4:2:0 reduced":      phototest.PhoneJPEG(6000, 200, 8),
			"phone small mirrored":     phototest.PhoneJPEG(900, 600, 3),
			"noise 4:2:0":              encodeJPEG(t, wide),
			"gray reduced":             encodeJPEG(t, gray),
			"progressive YCbCr 4:4:4":  phototest.ProgressiveJPEG(2800, 300, 3),
			"progressive CMYK":         phototest.ProgressiveJPEG(2000, 300, 4),
			"progressive gray reduced": phototest.ProgressiveJPEG(6000, 200, 1),
			"png 16-bit":               phototest.PNG16(2800, 300),
			"png noise RGB":            encodePNG(t, wide),
			"png paletted":             encodePNG(t, paletted),
			"png NRGBA portrait":       encodePNG(t, nrgba),
			"png gray scaled":          encodePNG(t, &image.Gray{Pix: gray.Pix, Stride: 3000, Rect: image.Rect(0, 0, 3000, 400)}),
			"4:4:4 turned":             phototest.WithMetadata(phototest.SampledJPEG(1200, 300, 0x11), 6),
			"4:2:2 turned":             phototest.WithMetadata(phototest.SampledJPEG(1200, 300, 0x21), 8),
			"4:4:0 mirrored":           phototest.WithMetadata(phototest.SampledJPEG(1200, 300, 0x12), 2),
			"4:1:1 scaled and turned":  phototest.WithMetadata(phototest.SampledJPEG(5200, 200, 0x41), 5),
			"gray turned":              phototest.WithMetadata(encodeJPEG(t, gray), 7),
			"CMYK turned":              phototest.WithMetadata(phototest.ProgressiveJPEG(1200, 300, 4), 6),
		}
	})
	return calibration
}

var (
	calibrationOnce sync.Once
	calibration     map[string][]byte
)

// The decode estimate follows image/jpeg and image/png: never below what
// they allocate, and not far above.
func TestDecodeBytesMatchDecoders(t *testing.T) {
	for name, data := range calibrationPhotos(t) {
		h, err := readPhotoHeader(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		decode := jpeg.Decode
		if h.contentType == "image/png" {
			decode = png.Decode
		}
		got := allocated(func() {
			if _, err := decode(bytes.NewReader(data)); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		})
		if got > h.decodeBytes || h.decodeBytes > got+got/8+256<<10 {
			t.Errorf("%s: decode allocated %d bytes, estimate %d", name, got, h.decodeBytes)
		}
	}
}

// The whole clean stays within the estimate the budget is charged.
func TestCleanBytesBoundClean(t *testing.T) {
	for name, data := range calibrationPhotos(t) {
		h, err := readPhotoHeader(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var out Photo
		got := allocated(func() {
			if out, err = clean(data, h); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		})
		t.Logf("%s: %dx%d, clean allocated %.1f MB, estimate %.1f MB, output %.1f KB", name, h.width, h.height, float64(got)/1e6, float64(h.cleanBytes())/1e6, float64(len(out.Data))/1e3)
		if got > h.cleanBytes() {
			t.Errorf("%s: clean allocated %d bytes, over the estimate %d", name, got, h.cleanBytes())
		}
		cfg, _, err := image.DecodeConfig(bytes.NewReader(out.Data))
		if err != nil {
			t.Fatalf("%s: output: %v", name, err)
		}
		tw, th := fitLongSide(h.width, h.height, PhotoLongSide)
		if h.orientation >= 5 {
			tw, th = th, tw
		}
		if cfg.Width != tw || cfg.Height != th {
			t.Errorf("%s: output is %dx%d, want %dx%d", name, cfg.Width, cfg.Height, tw, th)
		}
	}
}

// A plane of 4-byte pixels turns as four planes of 1-byte pixels do.
func TestOrientPlaneRGBAMatchesBytes(t *testing.T) {
	const w, h = 7, 5
	m := noisy(w, h)
	for o := 1; o <= 8; o++ {
		got, ow, oh := orientPlane(m.Pix, m.Stride, w, h, 4, o)
		for c := range 4 {
			plane := make([]byte, w*h)
			for i := range plane {
				plane[i] = m.Pix[4*i+c]
			}
			want, _, _ := orientPlane(plane, w, w, h, 1, o)
			for i := range want {
				if got[4*i+c] != want[i] {
					t.Fatalf("orientation %d, %dx%d: channel %d differs at %d", o, ow, oh, c, i)
				}
			}
		}
	}
}
