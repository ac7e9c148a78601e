// Package phototest makes image fixtures that carry metadata (EXIF with a
// GPS position, XMP, a comment), for tests that prove the metadata is gone.
package phototest

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"testing"
)

// Markers the fixture carries.
const (
	XMPMarker     = "exif:GPSLatitude=\"21,1.71N\""
	CommentMarker = "chup tai nha so 12 ngo 5"
)

// GPSLatitudeBytes is the EXIF rational 21/1 followed by 1/1 and 71/100:
// the latitude in the fixture's GPS directory.
var GPSLatitudeBytes = func() []byte {
	b := make([]byte, 24)
	binary.BigEndian.PutUint32(b[0:], 21)
	binary.BigEndian.PutUint32(b[4:], 1)
	binary.BigEndian.PutUint32(b[8:], 1)
	binary.BigEndian.PutUint32(b[12:], 1)
	binary.BigEndian.PutUint32(b[16:], 71)
	binary.BigEndian.PutUint32(b[20:], 100)
	return b
}()

// JPEGWithGPS returns a w x h JPEG with an EXIF segment (orientation o and
// a GPS directory with latitude and longitude), an XMP segment and a
// comment segment.
func JPEGWithGPS(tb testing.TB, w, h, o int) []byte {
	tb.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		for y := 0; y < h; y++ {
			img.Set(x, y, color.RGBA{uint8(x * 6), uint8(y * 12), 90, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		tb.Fatal(err)
	}
	return WithMetadata(buf.Bytes(), o)
}

// OrientedJPEG encodes img (quality 90) with the metadata of JPEGWithGPS
// and EXIF orientation o.
func OrientedJPEG(tb testing.TB, img image.Image, o int) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		tb.Fatal(err)
	}
	return WithMetadata(buf.Bytes(), o)
}

// PhoneJPEG returns a w x h JPEG like a phone camera's: 4:2:0, quality 90,
// a textured picture that compresses about as a real photo does (a 12 MP
// one to some 4 MB), and the metadata of JPEGWithGPS with orientation o.
func PhoneJPEG(w, h, o int) []byte {
	img := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	seed := uint32(2463534242)
	for y := 0; y < h; y++ {
		row := img.Y[y*img.YStride:]
		for x := 0; x < w; x++ {
			seed ^= seed << 13
			seed ^= seed >> 17
			seed ^= seed << 5
			// A gradient, stripes and sensor-like noise.
			row[x] = uint8(40 + (x*120)/w + (y*60)/h + int((x/16+y/16)%2)*20 + int(seed%24))
		}
	}
	for y := 0; y < (h+1)/2; y++ {
		for x := 0; x < (w+1)/2; x++ {
			i := y*img.CStride + x
			img.Cb[i] = uint8(100 + (x*80)/w)
			img.Cr[i] = uint8(150 - (y*80)/h)
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		panic(err) // only for a side over 65535
	}
	return WithMetadata(buf.Bytes(), o)
}

// WithMetadata puts EXIF (orientation o and GPS), XMP and a comment into
// a plain JPEG, right after its SOI marker.
func WithMetadata(plain []byte, o int) []byte {
	var out bytes.Buffer
	out.Write(plain[:2]) // SOI
	out.Write(segment(0xE1, append([]byte("Exif\x00\x00"), tiff(o)...)))
	out.Write(segment(0xE1, []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta "+XMPMarker+"/>")))
	out.Write(segment(0xFE, []byte(CommentMarker)))
	out.Write(plain[2:])
	return out.Bytes()
}

func segment(marker byte, payload []byte) []byte {
	b := []byte{0xFF, marker, 0, 0}
	binary.BigEndian.PutUint16(b[2:], uint16(len(payload)+2))
	return append(b, payload...)
}

// tiff builds a big-endian TIFF block: IFD0 with Orientation and a
// GPSInfo pointer; a GPS IFD with GPSLatitude and GPSLongitude.
func tiff(o int) []byte {
	be := binary.BigEndian
	var b []byte
	b = append(b, 'M', 'M', 0, 42, 0, 0, 0, 8)
	// IFD0 at 8: 2 entries.
	ifd0 := make([]byte, 2+2*12+4)
	be.PutUint16(ifd0[0:], 2)
	entry(ifd0[2:], 0x0112, 3, 1, uint32(o)<<16) // SHORT in the high half
	gpsOff := uint32(8 + len(ifd0))
	entry(ifd0[14:], 0x8825, 4, 1, gpsOff)
	b = append(b, ifd0...)
	// GPS IFD: 2 entries, then the rationals.
	gps := make([]byte, 2+2*12+4)
	be.PutUint16(gps[0:], 2)
	dataOff := gpsOff + uint32(len(gps))
	entry(gps[2:], 0x0002, 5, 3, dataOff)     // GPSLatitude
	entry(gps[14:], 0x0004, 5, 3, dataOff+24) // GPSLongitude
	b = append(b, gps...)
	b = append(b, GPSLatitudeBytes...)
	lon := make([]byte, 24)
	be.PutUint32(lon[0:], 105)
	be.PutUint32(lon[4:], 1)
	be.PutUint32(lon[8:], 51)
	be.PutUint32(lon[12:], 1)
	be.PutUint32(lon[16:], 1512)
	be.PutUint32(lon[20:], 100)
	return append(b, lon...)
}

func entry(b []byte, tag, typ uint16, count, value uint32) {
	be := binary.BigEndian
	be.PutUint16(b[0:], tag)
	be.PutUint16(b[2:], typ)
	be.PutUint32(b[4:], count)
	be.PutUint32(b[8:], value)
}

// Segments counts a JPEG's marker segments before the image data.
func Segments(b []byte) map[byte]int {
	n := map[byte]int{}
	for i := 2; i+4 <= len(b) && b[i] == 0xFF; {
		m := b[i+1]
		if m == 0xDA {
			break
		}
		n[m]++
		i += 2 + int(binary.BigEndian.Uint16(b[i+2:]))
	}
	return n
}

// PNGChunk encodes one PNG chunk with its CRC.
func PNGChunk(typ string, data []byte) []byte {
	b := make([]byte, 8, 12+len(data))
	binary.BigEndian.PutUint32(b, uint32(len(data)))
	copy(b[4:], typ)
	b = append(b, data...)
	crc := crc32.ChecksumIEEE(b[4:])
	return binary.BigEndian.AppendUint32(b, crc)
}

// ProgressiveJPEG returns a uniform grey w x h progressive JPEG with n
// components (1 gray, 3 YCbCr or 4 CMYK, all at full resolution) whose one
// scan codes only the DC coefficients, one bit per block: the shape of a
// decompression bomb. 7000x7000 with 3 components is 287 KB, and
// image/jpeg decodes it into 735 MB.
func ProgressiveJPEG(w, h, n int) []byte {
	var b bytes.Buffer
	b.Write([]byte{0xFF, 0xD8})
	if n == 4 {
		// Adobe, version 100, no flags, transform 0: CMYK.
		b.Write(segment(0xEE, []byte("Adobe\x00\x64\x00\x00\x00\x00\x00")))
	}
	b.Write(jpegHeader(0xC2, w, h, n, 0x11))
	b.Write(make([]byte, (((w+7)/8)*((h+7)/8)*n+7)/8))
	b.Write([]byte{0xFF, 0xD9})
	return b.Bytes()
}

// SampledJPEG returns a uniform grey w x h progressive YCbCr JPEG whose
// luma is sampled hv0 (0x21 for 4:2:2, 0x12 for 4:4:0, 0x41 for 4:1:1...)
// times as much as its chroma.
func SampledJPEG(w, h int, hv0 byte) []byte {
	var b bytes.Buffer
	b.Write([]byte{0xFF, 0xD8})
	b.Write(jpegHeader(0xC2, w, h, 3, hv0))
	mw, mh := int(hv0>>4), int(hv0&15)
	mcus := ((w + 8*mw - 1) / (8 * mw)) * ((h + 8*mh - 1) / (8 * mh))
	b.Write(make([]byte, (mcus*(mw*mh+2)+7)/8))
	b.Write([]byte{0xFF, 0xD9})
	return b.Bytes()
}

// TruncatedJPEG returns the first bytes of a baseline 4:2:0 JPEG that
// declares w x h pixels, cut right after its scan header: image/jpeg
// allocates the whole image at the scan header, then finds no data.
func TruncatedJPEG(w, h int) []byte {
	b := append([]byte{0xFF, 0xD8}, segment(0xE0, []byte("JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"))...)
	return append(b, jpegHeader(0xC0, w, h, 3, 0x22)...)
}

// jpegHeader writes a quantisation table of ones, a frame (marker sof)
// of n components, the first sampled hv0 and the others 0x11, a DC
// Huffman table with one one-bit code (difference 0), and a DC-only scan
// header of every component.
func jpegHeader(sof byte, w, h, n int, hv0 byte) []byte {
	dqt := make([]byte, 65)
	for i := 1; i < len(dqt); i++ {
		dqt[i] = 1
	}
	out := segment(0xDB, dqt)
	frame := []byte{8, byte(h >> 8), byte(h), byte(w >> 8), byte(w), byte(n)}
	for i := range n {
		hv := byte(0x11)
		if i == 0 || i == 3 && n == 4 {
			hv = hv0
		}
		frame = append(frame, byte(i+1), hv, 0)
	}
	out = append(out, segment(sof, frame)...)
	dht := append([]byte{0x00, 1}, make([]byte, 15)...) // class 0, table 0: one code of length 1
	out = append(out, segment(0xC4, append(dht, 0))...) // for the symbol 0
	scan := []byte{byte(n)}
	for i := range n {
		scan = append(scan, byte(i+1), 0x00)
	}
	return append(out, segment(0xDA, append(scan, 0, 0, 0))...) // spectral 0..0, no approximation
}

// PNG16 returns a black w x h PNG of 16-bit RGB samples (8 bytes a pixel
// once decoded): 7071x7071 is 389 KB, and image/png decodes it into 400 MB.
func PNG16(w, h int) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = 16, 2 // depth 16, truecolour
	b.Write(PNGChunk("IHDR", ihdr))
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestSpeed) // a valid level: no error
	row := make([]byte, 1+6*w)                       // filter type 0, then the samples
	for range h {
		zw.Write(row)
	}
	zw.Close()
	b.Write(PNGChunk("IDAT", z.Bytes()))
	b.Write(PNGChunk("IEND", nil))
	return b.Bytes()
}
