package formsvc

import (
	"encoding/binary"
	"image"
)

// tiffOrientation reads the Orientation tag (1 to 8) of IFD0 in an EXIF
// segment's TIFF block, or returns 1. It reads only the one tag it needs;
// every other piece of metadata is discarded by re-encoding.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	ifd := int(bo.Uint32(t[4:]))
	if ifd < 8 || ifd+2 > len(t) {
		return 1
	}
	n := int(bo.Uint16(t[ifd:]))
	for k := 0; k < n; k++ {
		e := ifd + 2 + 12*k
		if e+12 > len(t) {
			return 1
		}
		if bo.Uint16(t[e:]) == 0x0112 { // Orientation, type SHORT
			if v := int(bo.Uint16(t[e+8:])); v >= 1 && v <= 8 {
				return v
			}
			return 1
		}
	}
	return 1
}

// orientRGBA turns m so that it shows the right way up for EXIF
// orientation o, working on its pixel slice: in place for the mirrors and
// the half turn (2, 3, 4), into a new image for the quarter turns (5 to
// 8, whose width and height swap). m's rectangle must start at 0,0.
func orientRGBA(m *image.RGBA, o int) *image.RGBA {
	w, h := m.Rect.Dx(), m.Rect.Dy()
	px := func(b []byte, i int) uint32 { return binary.LittleEndian.Uint32(b[i:]) }
	put := func(b []byte, i int, v uint32) { binary.LittleEndian.PutUint32(b[i:], v) }
	switch o {
	case 2, 3: // mirror each row; for 3, the rows' order too
		for y := 0; y < h; y++ {
			row := m.Pix[y*m.Stride : y*m.Stride+4*w]
			for l, r := 0, 4*(w-1); l < r; l, r = l+4, r-4 {
				a, b := px(row, l), px(row, r)
				put(row, l, b)
				put(row, r, a)
			}
		}
		if o == 2 {
			return m
		}
		fallthrough
	case 4: // the rows' order
		tmp := make([]byte, 4*w)
		for t, b := 0, h-1; t < b; t, b = t+1, b-1 {
			top, bot := m.Pix[t*m.Stride:t*m.Stride+4*w], m.Pix[b*m.Stride:b*m.Stride+4*w]
			copy(tmp, top)
			copy(top, bot)
			copy(bot, tmp)
		}
		return m
	case 5, 6, 7, 8:
	default:
		return m
	}
	out := image.NewRGBA(image.Rect(0, 0, h, w))
	// Source pixel (x, y) goes to (dx, dy): the column dx and the first
	// row come from the orientation, then each step in x moves one row
	// down (5, 6) or up (7, 8) in out.
	for y := 0; y < h; y++ {
		dx := y // 5, 8
		if o == 6 || o == 7 {
			dx = h - 1 - y
		}
		di, step := 4*dx, out.Stride // 5, 6: dy = x
		if o == 7 || o == 8 {
			di, step = (w-1)*out.Stride+4*dx, -out.Stride // dy = w-1-x
		}
		row := m.Pix[y*m.Stride : y*m.Stride+4*w]
		for si := 0; si < len(row); si += 4 {
			put(out.Pix, di, px(row, si))
			di += step
		}
	}
	return out
}
