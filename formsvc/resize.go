package formsvc

import (
	"image"

	"golang.org/x/image/draw"
)

// fitLongSide is the size of a w×h image scaled down, keeping its
// proportions, so that its long side is at most long; a smaller image
// keeps its size.
func fitLongSide(w, h, long int) (int, int) {
	if w <= long && h <= long {
		return w, h
	}
	if w >= h {
		return long, max(1, int((int64(h)*int64(long)+int64(w)/2)/int64(w)))
	}
	return max(1, int((int64(w)*int64(long)+int64(h)/2)/int64(h))), long
}

// The planar path, for the JPEGs of phones and cameras (YCbCr) and gray
// ones: the planes are resampled one by one, byte by byte, and the result
// is a 4:2:0 YCbCr image (what image/jpeg encodes anyway) at 1.5 bytes a
// pixel, or a gray one.

// resampleYCbCr makes a tw×th 4:2:0 copy of m: every plane resampled to
// its new size.
func resampleYCbCr(m *image.YCbCr, tw, th int) *image.YCbCr {
	w, h := m.Rect.Dx(), m.Rect.Dy()
	out := image.NewYCbCr(image.Rect(0, 0, tw, th), image.YCbCrSubsampleRatio420)
	resamplePlane(out.Y, out.YStride, tw, th, m.Y[m.YOffset(m.Rect.Min.X, m.Rect.Min.Y):], m.YStride, w, h)
	cw, ch := chromaSize(m.SubsampleRatio, w, h)
	ctw, cth := chromaSize(image.YCbCrSubsampleRatio420, tw, th)
	co := m.COffset(m.Rect.Min.X, m.Rect.Min.Y)
	resamplePlane(out.Cb, out.CStride, ctw, cth, m.Cb[co:], m.CStride, cw, ch)
	resamplePlane(out.Cr, out.CStride, ctw, cth, m.Cr[co:], m.CStride, cw, ch)
	return out
}

func resampleGray(m *image.Gray, tw, th int) *image.Gray {
	out := image.NewGray(image.Rect(0, 0, tw, th))
	resamplePlane(out.Pix, out.Stride, tw, th, m.Pix[m.PixOffset(m.Rect.Min.X, m.Rect.Min.Y):], m.Stride, m.Rect.Dx(), m.Rect.Dy())
	return out
}

// resampledBytes is what resampleYCbCr (or resampleGray, when gray)
// allocates for a w×h image whose chroma planes are cw×ch.
func resampledBytes(w, h, cw, ch, tw, th int, gray bool) int64 {
	n := planeBytes(w, h, tw, th)
	if !gray {
		ctw, cth := chromaSize(image.YCbCrSubsampleRatio420, tw, th)
		n += 2 * planeBytes(cw, ch, ctw, cth)
	}
	return n
}

// planeBytes is what resamplePlane allocates to make a new tw×th plane
// of a w×h one: the plane, the reduced plane and its row of sums, the
// bilinear taps.
func planeBytes(w, h, tw, th int) int64 {
	n := int64(tw) * int64(th)
	if rw, rh, f := reduction(w, h, tw, th); f > 1 {
		n += int64(rw)*int64(rh) + 4*int64(rw)
	}
	return n + tapBytes*int64(tw+th)
}

// chromaSize is the size of a chroma plane of a w×h YCbCr image whose
// rectangle starts at 0,0 (as image.NewYCbCr makes it).
func chromaSize(r image.YCbCrSubsampleRatio, w, h int) (int, int) {
	switch r {
	case image.YCbCrSubsampleRatio422:
		return (w + 1) / 2, h
	case image.YCbCrSubsampleRatio420:
		return (w + 1) / 2, (h + 1) / 2
	case image.YCbCrSubsampleRatio440:
		return w, (h + 1) / 2
	case image.YCbCrSubsampleRatio411:
		return (w + 3) / 4, h
	case image.YCbCrSubsampleRatio410:
		return (w + 3) / 4, (h + 1) / 2
	}
	return w, h
}

// reduction is how resamplePlane first shrinks a w×h plane on its way to
// tw×th: by the whole factor f = min(w/tw, h/th) to rw×rh when f is 2 or
// more (a box filter: every pixel counts, so fine detail does not alias);
// otherwise f is 1.
func reduction(w, h, tw, th int) (rw, rh, f int) {
	if f := min(w/tw, h/th); f >= 2 {
		return (w + f - 1) / f, (h + f - 1) / f, f
	}
	return w, h, 1
}

// resamplePlane writes into the dw×dh plane dst the w×h plane src: the
// same bytes when the sizes match, else reduced by a whole factor, then
// interpolated bilinearly (a factor below 2 is left, so every source
// pixel still counts).
func resamplePlane(dst []byte, dstStride, dw, dh int, src []byte, srcStride, w, h int) {
	if dw == w && dh == h {
		for y := range h {
			copy(dst[y*dstStride:y*dstStride+w], src[y*srcStride:])
		}
		return
	}
	if rw, rh, f := reduction(w, h, dw, dh); f > 1 {
		r := make([]byte, rw*rh)
		reducePlane(r, rw, src, srcStride, w, h, f)
		src, srcStride, w, h = r, rw, rw, rh
	}
	bilinearPlane(dst, dstStride, dw, dh, src, srcStride, w, h)
}

// reducePlane writes into dst the means of the f×f blocks of the w×h
// plane src (the blocks on the right and bottom edges may be smaller).
func reducePlane(dst []byte, dstStride int, src []byte, srcStride, w, h, f int) {
	dw := (w + f - 1) / f
	sum := make([]uint32, dw)
	for dy := 0; dy*f < h; dy++ {
		clear(sum)
		y1 := min(dy*f+f, h)
		for y := dy * f; y < y1; y++ {
			row := src[y*srcStride : y*srcStride+w]
			for dx := range dw {
				s := uint32(0)
				for _, v := range row[dx*f : min(dx*f+f, w)] {
					s += uint32(v)
				}
				sum[dx] += s
			}
		}
		rows := uint32(y1 - dy*f)
		out := dst[dy*dstStride : dy*dstStride+dw]
		for dx := range out {
			n := rows * uint32(min(dx*f+f, w)-dx*f)
			out[dx] = uint8((sum[dx] + n/2) / n)
		}
	}
}

// tap is one destination column's (or row's) two source columns and the
// weight of the second, in 1/256.
type tap struct{ i0, i1, f int }

const tapBytes = 24 // unsafe.Sizeof(tap{})

// bilinearPlane resamples the w×h plane src into the dw×dh plane dst,
// pixel centres aligned.
func bilinearPlane(dst []byte, dstStride, dw, dh int, src []byte, srcStride, w, h int) {
	taps := func(n, sn int) []tap {
		t := make([]tap, n)
		for d := range t {
			// Source position of the destination pixel's centre, in 1/256.
			p := ((2*d+1)*sn*256/n - 256) / 2
			p = min(max(p, 0), (sn-1)*256)
			t[d] = tap{p >> 8, min(p>>8+1, sn-1), p & 255}
		}
		return t
	}
	xs, ys := taps(dw, w), taps(dh, h)
	for dy, ty := range ys {
		r0, r1 := src[ty.i0*srcStride:], src[ty.i1*srcStride:]
		out := dst[dy*dstStride : dy*dstStride+dw]
		for dx, tx := range xs {
			top := int(r0[tx.i0])*(256-tx.f) + int(r0[tx.i1])*tx.f
			bot := int(r1[tx.i0])*(256-tx.f) + int(r1[tx.i1])*tx.f
			out[dx] = uint8((top*(256-ty.f) + bot*ty.f + 1<<15) >> 16)
		}
	}
}

// toRGBA draws img into a new tw×th RGBA image, for the images that are
// not planar (PNG, CMYK and RGB JPEG), with x/image/draw's bilinear
// scaler. Its kernel scalers (CatmullRom) are not used: they keep a
// float64 buffer of 32 bytes per pixel of width × source height, 245 MB
// for a 12 MP photo.
func toRGBA(img image.Image, tw, th int) *image.RGBA {
	out := image.NewRGBA(image.Rect(0, 0, tw, th))
	b := img.Bounds()
	if b.Dx() == tw && b.Dy() == th {
		draw.Draw(out, out.Rect, img, b.Min, draw.Src)
	} else {
		draw.ApproxBiLinear.Scale(out, out.Rect, img, b, draw.Src, nil)
	}
	return out
}
