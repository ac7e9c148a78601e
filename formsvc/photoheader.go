package formsvc

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"math"
)

// photoHeader is what a photo's header says, read without decoding it:
// enough to know the memory a decode will take before it starts.
type photoHeader struct {
	contentType   string // image/jpeg or image/png
	width, height int
	kind          string // the kind of image, in Vietnamese, for messages
	orientation   int    // EXIF orientation, 1 to 8 (1 for PNG)
	// decodeBytes is what image/jpeg or image/png allocate to decode
	// it: the image, and for a progressive JPEG its coefficients.
	decodeBytes int64
	// The decoded image's type, when planar: an *image.YCbCr with this
	// subsampling, or an *image.Gray.
	ycbcr bool
	ratio image.YCbCrSubsampleRatio
	gray  bool
	// encodable: image/jpeg or image/png encode the decoded image type
	// through their fast paths (RGBA, NRGBA, YCbCr, Gray, Paletted); the
	// others (CMYK, 16-bit) go through a color.Color per pixel, slow and
	// allocating, so they are drawn into an RGBA image first.
	encodable bool
	// bytesPerPixel of the decoded image (PNG only).
	bytesPerPixel int64
}

// errUnreadable is any header that image/jpeg or image/png would refuse,
// or that ends before the image data starts.
var errUnreadable = errors.New("not a readable JPEG or PNG")

// readPhotoHeader reads the header of a JPEG or PNG.
func readPhotoHeader(b []byte) (photoHeader, error) {
	switch {
	case len(b) >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF:
		return readJPEGHeader(b)
	case len(b) >= 8 && string(b[:8]) == "\x89PNG\r\n\x1a\n":
		return readPNGHeader(b)
	}
	return photoHeader{}, errUnreadable
}

// JPEG markers.
const (
	mSOF0 = 0xC0 // baseline
	mSOF1 = 0xC1 // extended sequential
	mSOF2 = 0xC2 // progressive
	mDHT  = 0xC4
	mRST0 = 0xD0
	mRST7 = 0xD7
	mEOI  = 0xD9
	mSOS  = 0xDA
	mDQT  = 0xDB
	mDRI  = 0xDD
	mAPP0 = 0xE0
	mAPP1 = 0xE1
	mAPPE = 0xEE // Adobe
	mAPPF = 0xEF
	mCOM  = 0xFE
)

type jpegComponent struct {
	id   byte
	h, v int
}

// readJPEGHeader walks a JPEG's segments up to its first scan, the way
// image/jpeg does (extraneous bytes and fill bytes skipped), and reads the
// frame (SOF), JFIF, Adobe and EXIF orientation segments. A file that ends
// before its first scan is refused here: image/jpeg would allocate the
// whole image before finding out.
func readJPEGHeader(b []byte) (photoHeader, error) {
	var (
		sof            []byte
		progressive    bool
		jfif           bool
		adobe          bool
		adobeTransform byte
		orientation    = 0
		dataBytes      int // from the first scan's data to the end
	)
	i := 2
scan:
	for {
		for i < len(b) && b[i] != 0xFF {
			i++
		}
		for i < len(b) && b[i] == 0xFF {
			i++
		}
		if i >= len(b) {
			return photoHeader{}, fmt.Errorf("%w: ends before its image data", errUnreadable)
		}
		marker := b[i]
		i++
		switch {
		case marker == 0x00, mRST0 <= marker && marker <= mRST7:
			continue
		case marker == mEOI:
			return photoHeader{}, fmt.Errorf("%w: no image data", errUnreadable)
		}
		if i+2 > len(b) {
			return photoHeader{}, fmt.Errorf("%w: ends before its image data", errUnreadable)
		}
		n := int(binary.BigEndian.Uint16(b[i:]))
		if n < 2 || i+n > len(b) {
			return photoHeader{}, fmt.Errorf("%w: segment %#x cut short", errUnreadable, marker)
		}
		seg := b[i+2 : i+n]
		i += n
		switch {
		case marker == mSOF0 || marker == mSOF1 || marker == mSOF2:
			if sof != nil {
				return photoHeader{}, fmt.Errorf("%w: two frames", errUnreadable)
			}
			sof, progressive = seg, marker == mSOF2
		case marker == mSOS:
			if sof == nil {
				return photoHeader{}, fmt.Errorf("%w: scan before frame", errUnreadable)
			}
			dataBytes = len(b) - i
			break scan
		case marker == mAPP0:
			jfif = jfif || bytes.HasPrefix(seg, []byte("JFIF\x00"))
		case marker == mAPPE:
			if len(seg) >= 12 && bytes.HasPrefix(seg, []byte("Adobe")) {
				adobe, adobeTransform = true, seg[11]
			}
		case marker == mAPP1:
			if orientation == 0 && len(seg) > 6 && string(seg[:6]) == "Exif\x00\x00" {
				orientation = tiffOrientation(seg[6:])
			}
		case marker == mDHT, marker == mDQT, marker == mDRI, mAPP0 <= marker && marker <= mAPPF, marker == mCOM:
		default:
			// Arithmetic coding, lossless and hierarchical frames, and
			// unknown markers: image/jpeg refuses them too.
			return photoHeader{}, fmt.Errorf("%w: marker %#x", errUnreadable, marker)
		}
	}
	h := photoHeader{contentType: "image/jpeg", orientation: max(orientation, 1), encodable: true}
	comps, err := parseSOF(sof, &h)
	if err != nil {
		return photoHeader{}, err
	}
	if need := jpegMinDataBytes(h.width, h.height, comps); int64(dataBytes) < need {
		return photoHeader{}, fmt.Errorf("%w: %d bytes of image data, a %dx%d image needs %d at least", errUnreadable, dataBytes, h.width, h.height, need)
	}
	rgb := false
	switch len(comps) {
	case 1:
		h.kind, h.gray = "JPEG đen trắng", true
	case 3:
		// As image/jpeg's isRGB: such a file is converted to RGBA.
		rgb = !jfif && (adobe && adobeTransform == 0 || comps[0].id == 'R' && comps[1].id == 'G' && comps[2].id == 'B')
		h.kind, h.ycbcr = "JPEG", !rgb
		if rgb {
			h.kind = "JPEG RGB"
		}
		h.ratio = subsampleRatio(comps[0].h/comps[1].h, comps[0].v/comps[1].v)
	case 4:
		if !adobe {
			// image/jpeg decodes it all, then refuses its colour model.
			return photoHeader{}, fmt.Errorf("%w: 4 components without an Adobe segment", errUnreadable)
		}
		h.kind, h.encodable = "JPEG CMYK", false
	}
	if progressive {
		h.kind += " lũy tiến (progressive)"
	}
	h.decodeBytes = jpegDecodeBytes(h.width, h.height, comps, progressive, rgb)
	return h, nil
}

// subsampleRatio is the chroma subsampling of a luma sampled hr and vr
// times as much as chroma, as image/jpeg's makeImg maps it.
func subsampleRatio(hr, vr int) image.YCbCrSubsampleRatio {
	switch hr<<4 | vr {
	case 0x12:
		return image.YCbCrSubsampleRatio440
	case 0x21:
		return image.YCbCrSubsampleRatio422
	case 0x22:
		return image.YCbCrSubsampleRatio420
	case 0x41:
		return image.YCbCrSubsampleRatio411
	case 0x42:
		return image.YCbCrSubsampleRatio410
	}
	return image.YCbCrSubsampleRatio444
}

// parseSOF reads a frame header as image/jpeg's processSOF does, refusing
// what it refuses, and sets h's size.
func parseSOF(s []byte, h *photoHeader) ([]jpegComponent, error) {
	var n int
	switch len(s) {
	case 6 + 3*1:
		n = 1
	case 6 + 3*3:
		n = 3
	case 6 + 3*4:
		n = 4
	default:
		return nil, fmt.Errorf("%w: %d-byte frame header", errUnreadable, len(s))
	}
	if s[0] != 8 || int(s[5]) != n {
		return nil, fmt.Errorf("%w: %d-bit precision or wrong component count", errUnreadable, s[0])
	}
	h.height = int(binary.BigEndian.Uint16(s[1:]))
	h.width = int(binary.BigEndian.Uint16(s[3:]))
	if h.width == 0 || h.height == 0 {
		return nil, fmt.Errorf("%w: %dx%d", errUnreadable, h.width, h.height)
	}
	comps := make([]jpegComponent, n)
	for i := range comps {
		hv := s[7+3*i]
		c := jpegComponent{id: s[6+3*i], h: int(hv >> 4), v: int(hv & 0x0f)}
		if c.h < 1 || c.h > 4 || c.h == 3 || c.v < 1 || c.v > 4 || c.v == 3 {
			return nil, fmt.Errorf("%w: sampling %#x", errUnreadable, hv)
		}
		ok := true
		switch {
		case n == 1:
			c.h, c.v = 1, 1 // image/jpeg ignores a lone component's factors
		case n == 3 && i == 0:
			ok = c.v != 4
		case n == 3 && i == 1:
			ok = comps[0].h%c.h == 0 && comps[0].v%c.v == 0
		case n == 3 && i == 2:
			ok = c.h == comps[1].h && c.v == comps[1].v
		case n == 4 && i == 0:
			ok = hv == 0x11 || hv == 0x22
		case n == 4 && (i == 1 || i == 2):
			ok = hv == 0x11
		case n == 4 && i == 3:
			ok = c.h == comps[0].h && c.v == comps[0].v
		}
		if !ok {
			return nil, fmt.Errorf("%w: unsupported sampling", errUnreadable)
		}
		comps[i] = c
	}
	return comps, nil
}

// jpegDecodeBytes is what image/jpeg allocates to decode a w×h image
// with these components (see its makeImg and processSOS): the planes,
// padded to whole MCUs; the black plane and a 4-byte-per-pixel CMYK image
// for four components, or an RGBA image for an RGB file; and for a
// progressive file 64 int32 coefficients per block of every component;
// and the decoder itself.
func jpegDecodeBytes(w, h int, comps []jpegComponent, progressive, rgb bool) int64 {
	h0, v0 := comps[0].h, comps[0].v
	mxx := int64((w + 8*h0 - 1) / (8 * h0))
	myy := int64((h + 8*v0 - 1) / (8 * v0))
	var n int64
	if len(comps) == 1 {
		n = 64 * mxx * myy
	} else {
		yw, yh := 8*int64(h0)*mxx, 8*int64(v0)*myy
		hr, vr := int64(h0/comps[1].h), int64(v0/comps[1].v)
		n = yw*yh + 2*((yw+hr-1)/hr)*((yh+vr-1)/vr)
		if len(comps) == 4 {
			n += 64*int64(comps[3].h*comps[3].v)*mxx*myy + 4*int64(w)*int64(h)
		} else if rgb {
			n += 4 * int64(w) * int64(h)
		}
	}
	if progressive {
		for _, c := range comps {
			n += 256 * mxx * myy * int64(c.h*c.v)
		}
	}
	return n + 64<<10 // the decoder's tables and buffers
}

// jpegMinDataBytes is a lower bound on the size of a JPEG's image data:
// the first scan of any JPEG, baseline or progressive, codes every block
// of at least one component with at least one bit (its DC difference).
// image/jpeg allocates the whole image at the first scan and only then
// finds a file cut short, so a file shorter than this is refused unread.
func jpegMinDataBytes(w, h int, comps []jpegComponent) int64 {
	hmax, vmax := comps[0].h, comps[0].v
	blocks := int64(math.MaxInt64)
	for _, c := range comps {
		bw, bh := int64(w*c.h/hmax/8), int64(h*c.v/vmax/8)
		blocks = min(blocks, bw*bh)
	}
	return blocks / 8
}

// readPNGHeader reads a PNG's IHDR and its chunks up to the first IDAT:
// a tRNS chunk changes the image type image/png decodes to, and a file
// without image data is refused here rather than after an allocation.
func readPNGHeader(b []byte) (photoHeader, error) {
	if len(b) < 8+8+13 || string(b[12:16]) != "IHDR" || binary.BigEndian.Uint32(b[8:]) != 13 {
		return photoHeader{}, fmt.Errorf("%w: no IHDR", errUnreadable)
	}
	ihdr := b[16:29]
	w, h := binary.BigEndian.Uint32(ihdr[0:]), binary.BigEndian.Uint32(ihdr[4:])
	depth, colour, interlace := ihdr[8], ihdr[9], ihdr[12]
	if w == 0 || h == 0 || w > 1<<24 || h > 1<<24 || interlace > 1 {
		return photoHeader{}, fmt.Errorf("%w: %dx%d, interlace %d", errUnreadable, w, h, interlace)
	}
	trns := false
	dataBytes := 0 // from the first IDAT chunk to the end
	for i := 8 + 8 + 13 + 4; ; {
		if i+8 > len(b) {
			return photoHeader{}, fmt.Errorf("%w: ends before its image data", errUnreadable)
		}
		n, typ := int64(binary.BigEndian.Uint32(b[i:])), string(b[i+4:i+8])
		if typ == "IDAT" {
			dataBytes = len(b) - i
			break
		}
		if typ == "IEND" {
			return photoHeader{}, fmt.Errorf("%w: no image data", errUnreadable)
		}
		trns = trns || typ == "tRNS"
		if n > int64(len(b)) {
			return photoHeader{}, fmt.Errorf("%w: chunk %q cut short", errUnreadable, typ)
		}
		i += 12 + int(n)
	}
	// Bytes per pixel of the image type image/png decodes to.
	var bpp int64
	switch {
	case colour == 0 && (depth == 1 || depth == 2 || depth == 4 || depth == 8):
		bpp = 1 // Gray, or NRGBA with tRNS
		if trns {
			bpp = 4
		}
	case colour == 0 && depth == 16:
		bpp = 2 // Gray16, or NRGBA64 with tRNS
		if trns {
			bpp = 8
		}
	case colour == 3 && (depth == 1 || depth == 2 || depth == 4 || depth == 8):
		bpp = 1 // Paletted
	case (colour == 2 || colour == 4 || colour == 6) && depth == 8:
		bpp = 4 // RGBA or NRGBA
	case (colour == 2 || colour == 4 || colour == 6) && depth == 16:
		bpp = 8 // RGBA64 or NRGBA64
	default:
		return photoHeader{}, fmt.Errorf("%w: colour type %d, depth %d", errUnreadable, colour, depth)
	}
	// Deflate shrinks data by 1032:1 at most, and image/png allocates the
	// whole image before it finds a file cut short.
	bitsPerPixel := int64(depth) * map[byte]int64{0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour]
	raw := int64(h) * (1 + (int64(w)*bitsPerPixel+7)/8)
	if need := raw / 1032; int64(dataBytes) < need {
		return photoHeader{}, fmt.Errorf("%w: %d bytes of image data, a %dx%d image needs %d at least", errUnreadable, dataBytes, w, h, need)
	}
	hd := photoHeader{contentType: "image/png", width: int(w), height: int(h), orientation: 1, kind: "PNG",
		encodable: depth != 16, bytesPerPixel: bpp, gray: colour == 0 && depth <= 8 && !trns}
	if depth == 16 {
		hd.kind = "PNG 16 bit"
	}
	hd.decodeBytes = bpp * int64(w) * int64(h)
	if interlace == 1 {
		// Each of the seven passes is decoded into an image of its own
		// and merged into the full one.
		hd.decodeBytes *= 2
		hd.kind += " xen kẽ (interlaced)"
	}
	// Two rows of raw data, and the inflater's window.
	hd.decodeBytes += 2*(int64(w)*8+1) + 64<<10
	return hd, nil
}
