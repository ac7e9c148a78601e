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

// orientPlane turns a w×h plane of bpp-byte pixels (1 for a YCbCr or
// gray plane, 4 for RGBA) so that it shows the right way up for EXIF
// orientation o, into a new plane: ow×oh, swapped for the quarter turns
// (5 to 8). Source pixel (x, y) goes to (dx, dy):
//
//	2: (w-1-x, y)      3: (w-1-x, h-1-y)  4: (x, h-1-y)
//	5: (y, x)          6: (h-1-y, x)      7: (h-1-y, w-1-x)  8: (y, w-1-x)
//
// Each source row is copied with a fixed step in the destination: one
// pixel left or right along a row (2 to 4), or one row down or up along
// a column (5 to 8).
func orientPlane(src []byte, stride, w, h, bpp, o int) (out []byte, ow, oh int) {
	ow, oh = w, h
	if o >= 5 {
		ow, oh = h, w
	}
	out = make([]byte, ow*oh*bpp)
	ds := ow * bpp // the destination's stride
	for y := range h {
		var di, step int
		switch o {
		case 2:
			di, step = y*ds+(w-1)*bpp, -bpp
		case 3:
			di, step = (h-1-y)*ds+(w-1)*bpp, -bpp
		case 4:
			di, step = (h-1-y)*ds, bpp
		case 5:
			di, step = y*bpp, ds
		case 6:
			di, step = (h-1-y)*bpp, ds
		case 7:
			di, step = (w-1)*ds+(h-1-y)*bpp, -ds
		case 8:
			di, step = (w-1)*ds+y*bpp, -ds
		default:
			di, step = y*ds, bpp
		}
		row := src[y*stride : y*stride+w*bpp]
		if bpp == 1 {
			for _, v := range row {
				out[di] = v
				di += step
			}
			continue
		}
		for si := 0; si < len(row); si += 4 {
			binary.LittleEndian.PutUint32(out[di:], binary.LittleEndian.Uint32(row[si:]))
			di += step
		}
	}
	return out, ow, oh
}

// orient turns a decoded or resampled image (*image.YCbCr 4:2:0,
// *image.Gray or *image.RGBA, with rectangles at 0,0) the right way up
// for EXIF orientation o, plane by plane.
func orient(img image.Image, o int) image.Image {
	if o <= 1 || o > 8 {
		return img
	}
	switch m := img.(type) {
	case *image.YCbCr:
		w, h := m.Rect.Dx(), m.Rect.Dy()
		cw, ch := chromaSize(m.SubsampleRatio, w, h)
		y, ow, oh := orientPlane(m.Y, m.YStride, w, h, 1, o)
		cb, cow, _ := orientPlane(m.Cb, m.CStride, cw, ch, 1, o)
		cr, _, _ := orientPlane(m.Cr, m.CStride, cw, ch, 1, o)
		// A 4:2:0 image turned is 4:2:0 again; when a side is odd, its
		// chroma lies half a pixel off, which no eye sees.
		return &image.YCbCr{Y: y, Cb: cb, Cr: cr, YStride: ow, CStride: cow, SubsampleRatio: m.SubsampleRatio, Rect: image.Rect(0, 0, ow, oh)}
	case *image.Gray:
		pix, ow, oh := orientPlane(m.Pix, m.Stride, m.Rect.Dx(), m.Rect.Dy(), 1, o)
		return &image.Gray{Pix: pix, Stride: ow, Rect: image.Rect(0, 0, ow, oh)}
	case *image.RGBA:
		pix, ow, oh := orientPlane(m.Pix, m.Stride, m.Rect.Dx(), m.Rect.Dy(), 4, o)
		return &image.RGBA{Pix: pix, Stride: 4 * ow, Rect: image.Rect(0, 0, ow, oh)}
	}
	panic("orient: unexpected image type")
}
