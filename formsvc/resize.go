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

// reduceFactor is the whole factor by which reduce first shrinks a w-wide
// image on its way to tw: at least 2, or 1 for none.
func reduceFactor(w, tw int) int {
	if f := w / tw; f >= 2 {
		return f
	}
	return 1
}

// toRGBA draws img into a new tw×th RGBA image. Shrinking by a factor of
// two or more first averages f×f blocks of the YCbCr or gray planes (a box
// filter: every source pixel counts, so fine detail does not alias), then
// x/image/draw's bilinear scaler takes it the rest of the way. The kernel
// scalers (CatmullRom) are not used: they keep a float64 buffer of 32
// bytes per pixel of width × source height, 245 MB for a 12 MP photo.
func toRGBA(img image.Image, tw, th int) *image.RGBA {
	out := image.NewRGBA(image.Rect(0, 0, tw, th))
	b := img.Bounds()
	if b.Dx() == tw && b.Dy() == th {
		draw.Draw(out, out.Rect, img, b.Min, draw.Src)
		return out
	}
	if f := reduceFactor(b.Dx(), tw); f > 1 && b.Min == (image.Point{}) {
		switch m := img.(type) {
		case *image.YCbCr:
			img = reduceYCbCr(m, f)
		case *image.Gray:
			img = reduceGray(m, f)
		}
	}
	draw.ApproxBiLinear.Scale(out, out.Rect, img, img.Bounds(), draw.Src, nil)
	return out
}

// reducedBytes is what reduce allocates for a w×h planar image shrunk by
// f: at most the size of a 4:4:4 image of the reduced size.
func reducedBytes(w, h, f int) int64 {
	if f < 2 {
		return 0
	}
	return 3 * int64((w+f-1)/f) * int64((h+f-1)/f)
}

func reduceGray(m *image.Gray, f int) *image.Gray {
	w, h := m.Rect.Dx(), m.Rect.Dy()
	out := image.NewGray(image.Rect(0, 0, (w+f-1)/f, (h+f-1)/f))
	reducePlane(out.Pix, out.Stride, m.Pix, m.Stride, w, h, f)
	return out
}

func reduceYCbCr(m *image.YCbCr, f int) *image.YCbCr {
	w, h := m.Rect.Dx(), m.Rect.Dy()
	out := image.NewYCbCr(image.Rect(0, 0, (w+f-1)/f, (h+f-1)/f), m.SubsampleRatio)
	reducePlane(out.Y, out.YStride, m.Y, m.YStride, w, h, f)
	// The chroma planes of m and out: ceil(ceil(w/s)/f) is ceil(ceil(w/f)/s),
	// so reducing m's chroma by f gives exactly out's chroma size.
	cw, ch := chromaSize(m.SubsampleRatio, w, h)
	reducePlane(out.Cb, out.CStride, m.Cb, m.CStride, cw, ch, f)
	reducePlane(out.Cr, out.CStride, m.Cr, m.CStride, cw, ch, f)
	return out
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
