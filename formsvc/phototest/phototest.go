// Package phototest makes image fixtures that carry metadata (EXIF with a
// GPS position, XMP, a comment), for tests that prove the metadata is gone.
package phototest

import (
	"bytes"
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
	plain := buf.Bytes()
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
