package formsvc

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"math"
	"runtime"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"
)

// Limits of photo cleaning. docs/BENCHMARKS.md ("Photo bombs") has the
// measurements behind them.
const (
	// MaxPhotoPixels bounds a photo's size whatever its kind: phones'
	// ordinary photos are 12 MP (4000×3000) and their high-resolution
	// modes 48 or 50 MP (8000×6000, 8160×6120).
	MaxPhotoPixels = 50_000_000
	// PhotoLongSide is the long side of a stored photo: larger photos are
	// scaled down to it, enough for an officer to read a sign or a plate.
	PhotoLongSide = 2560
	// DefaultPhotoBudget is the memory that all photo decodes at once may
	// take, and so the most one decode may take: an ordinary 12 MP phone
	// photo is charged 53 MB (three fit at once), a 50 MP one 119 MB, a
	// 12 MP progressive JPEG 126 MB.
	DefaultPhotoBudget = 160 << 20
	// DefaultPhotoWait is how long a photo waits for its share of the
	// budget before the submission is answered 503.
	DefaultPhotoWait = 15 * time.Second
)

// MsgPhotoBusy answers a submission whose photo waited too long for the
// memory to decode it.
const MsgPhotoBusy = "Hệ thống đang bận xử lý ảnh của nhiều người gửi cùng lúc, vui lòng gửi lại sau ít phút. Nội dung bạn đã điền chưa được lưu."

// PhotoCleaner strips photos of their metadata and scales them down,
// within a memory budget: the memory a decode will take is judged from
// the header before decoding, a photo over the budget is refused, and
// decodes run at once only while their sum fits the budget; the others
// wait their turn for a bounded time.
type PhotoCleaner struct {
	budget int64
	wait   time.Duration
	sem    *semaphore.Weighted
}

// NewPhotoCleaner makes a cleaner whose decodes take at most budget bytes
// together, and whose photos wait at most wait for their turn.
func NewPhotoCleaner(budget int64, wait time.Duration) *PhotoCleaner {
	return &PhotoCleaner{budget: budget, wait: wait, sem: semaphore.NewWeighted(budget)}
}

// DefaultPhotoCleaner is the process's cleaner: the budget bounds the
// memory of the whole process, so every server in it shares one.
var DefaultPhotoCleaner = NewPhotoCleaner(DefaultPhotoBudget, DefaultPhotoWait)

// CleanPhoto cleans data with DefaultPhotoCleaner.
func CleanPhoto(ctx context.Context, data []byte) (Photo, error) {
	return DefaultPhotoCleaner.Clean(ctx, data)
}

// Reserve holds n bytes of the budget (at most all of it) until release
// is called, waiting as a decode does: at most the cleaner's wait, and
// not past ctx. When the wait ends first it returns an *Error with code
// EUNAVAILABLE and MsgPhotoBusy.
func (c *PhotoCleaner) Reserve(ctx context.Context, n int64) (release func(), err error) {
	n = min(max(n, 1), c.budget)
	wctx, cancel := context.WithTimeout(ctx, c.wait)
	defer cancel()
	if err := c.sem.Acquire(wctx, n); err != nil {
		return nil, &Error{Code: EUNAVAILABLE, Message: MsgPhotoBusy}
	}
	var once sync.Once
	return func() { once.Do(func() { c.sem.Release(n) }) }, nil
}

// Clean judges a file by its content (JPEG or PNG, whatever its name
// says) and re-encodes its pixels, which drops every piece of metadata:
// EXIF (GPS position, device, time), XMP, IPTC, comments and PNG text
// chunks. A photo larger than PhotoLongSide is scaled down, and a phone's
// rotation flag is applied to the pixels, so the photo still shows the
// right way up.
//
// Errors: an *Error with code EINVALID and a message for the public when
// the photo is too large to decode; an *Error with code EUNAVAILABLE when
// it waited too long for its turn; any other error when the file is not a
// readable JPEG or PNG.
func (c *PhotoCleaner) Clean(ctx context.Context, data []byte) (Photo, error) {
	h, err := readPhotoHeader(data)
	if err != nil {
		return Photo{}, err
	}
	if int64(h.width)*int64(h.height) > MaxPhotoPixels {
		return Photo{}, &Error{Code: EINVALID, Message: tooManyPixelsMessage(h)}
	}
	need := h.cleanBytes()
	if need > c.budget {
		return Photo{}, &Error{Code: EINVALID, Message: c.overBudgetMessage(h)}
	}
	release, err := c.Reserve(ctx, need)
	if err != nil {
		return Photo{}, err
	}
	defer release()
	p, err := clean(data, h)
	if need >= collectAfter {
		// What the decode allocated is garbage now: collect it before
		// the next decode takes this share of the budget, so the heap
		// stays near the budget instead of growing to the GC's limit.
		runtime.GC()
	}
	return p, err
}

// collectAfter is the size of a decode after which Clean runs the garbage
// collector: an ordinary phone photo's (docs/BENCHMARKS.md, "Photo
// bombs", measures the peak with and without).
const collectAfter = 16 << 20

// jpegOutBytesPerPixel bounds the size of a JPEG at quality 90, per
// pixel: pseudo-random noise, the worst case for the transform coding,
// comes out at 0.9.
const jpegOutBytesPerPixel = 2

// cleanBytes is what cleaning a photo with header h allocates in all:
// the decode; the resampled planes, or the RGBA image drawn for the
// other types; the turned planes; and the encoded output twice (its
// blocks, then the photo's bytes).
func (h photoHeader) cleanBytes() int64 {
	tw, th := fitLongSide(h.width, h.height, PhotoLongSide)
	out := int64(tw) * int64(th)
	n := h.decodeBytes
	rgba := false
	switch {
	case h.ycbcr:
		w, hh := h.width, h.height
		cw, ch := chromaSize(h.ratio, w, hh)
		if tw != h.width || h.orientation != 1 && !turnable(h.ratio) {
			n += resampledBytes(w, hh, cw, ch, tw, th, false)
			w, hh = tw, th
			cw, ch = chromaSize(image.YCbCrSubsampleRatio420, tw, th)
		}
		if h.orientation != 1 {
			n += int64(w)*int64(hh) + 2*int64(cw)*int64(ch)
		}
	case h.gray:
		if tw != h.width {
			n += resampledBytes(h.width, h.height, 0, 0, tw, th, true)
		}
		if h.orientation != 1 {
			n += out
		}
	case tw != h.width || h.orientation != 1 || !h.encodable:
		rgba = true
		n += 4 * out
		if h.orientation != 1 {
			n += 4 * out
		}
	}
	if h.contentType == "image/png" {
		// Incompressible rows with their filter bytes, as RGBA (or gray
		// or paletted, one byte a pixel, when kept as decoded); and the
		// deflater's state.
		bpp := int64(4)
		if !rgba && h.bytesPerPixel == 1 {
			bpp = 1
		}
		n += 2*(bpp*out+int64(th)+out*bpp/1000+outBlock) + 2<<20
	} else {
		n += 2 * (jpegOutBytesPerPixel*out + outBlock)
	}
	return n
}

// turnable: orient turns the planes of a YCbCr image with this
// subsampling as they are (the others are resampled to 4:2:0 first).
func turnable(r image.YCbCrSubsampleRatio) bool {
	return r == image.YCbCrSubsampleRatio420 || r == image.YCbCrSubsampleRatio444
}

func clean(data []byte, h photoHeader) (Photo, error) {
	var img image.Image
	var err error
	if h.contentType == "image/png" {
		img, err = png.Decode(bytes.NewReader(data))
	} else {
		img, err = jpeg.Decode(bytes.NewReader(data))
	}
	if err != nil {
		return Photo{}, fmt.Errorf("decode %s: %w", h.contentType, err)
	}
	if b := img.Bounds(); b.Dx() != h.width || b.Dy() != h.height {
		return Photo{}, fmt.Errorf("decoded %v, header says %dx%d", b, h.width, h.height)
	}
	// Scale down (or, for the types the encoders take slowly, convert),
	// then turn: the types the header promised, else the budget was
	// charged for another.
	tw, th := fitLongSide(h.width, h.height, PhotoLongSide)
	switch m := img.(type) {
	case *image.YCbCr:
		if !h.ycbcr || m.SubsampleRatio != h.ratio {
			return Photo{}, fmt.Errorf("decoded a YCbCr %v image, header says otherwise", m.SubsampleRatio)
		}
		if tw != h.width || h.orientation != 1 && !turnable(m.SubsampleRatio) {
			img = resampleYCbCr(m, tw, th)
		}
	case *image.Gray:
		if !h.gray {
			return Photo{}, fmt.Errorf("decoded a gray image, header says otherwise")
		}
		if tw != h.width {
			img = resampleGray(m, tw, th)
		}
	default:
		if h.ycbcr || h.gray {
			return Photo{}, fmt.Errorf("decoded a %T, header says otherwise", img)
		}
		if tw != h.width || h.orientation != 1 || !h.encodable {
			img = toRGBA(img, tw, th)
		}
	}
	img = orient(img, h.orientation)
	var out blocks
	if h.contentType == "image/png" {
		err = (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&out, img)
	} else {
		err = jpeg.Encode(&out, img, &jpeg.Options{Quality: 90})
	}
	if err != nil {
		return Photo{}, fmt.Errorf("encode %s: %w", h.contentType, err)
	}
	return Photo{ContentType: h.contentType, Data: out.Bytes()}, nil
}

// outBlock is the size of blocks' blocks.
const outBlock = 256 << 10

// blocks collects an encoder's output in fixed-size blocks, then joins
// them into a slice of the exact size: no buffer grows by doubling, and
// the photo kept until it is stored holds no spare capacity.
type blocks struct {
	full [][]byte
	cur  []byte
	n    int
}

func (b *blocks) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		if len(b.cur) == cap(b.cur) {
			if b.cur != nil {
				b.full = append(b.full, b.cur)
			}
			b.cur = make([]byte, 0, outBlock)
		}
		k := min(len(p), cap(b.cur)-len(b.cur))
		b.cur = append(b.cur, p[:k]...)
		p = p[k:]
	}
	b.n += n
	return n, nil
}

func (b *blocks) Bytes() []byte {
	out := make([]byte, 0, b.n)
	for _, f := range b.full {
		out = append(out, f...)
	}
	return append(out, b.cur...)
}

func tooManyPixelsMessage(h photoHeader) string {
	return fmt.Sprintf("Ảnh quá lớn để xử lý: %d×%d điểm ảnh (%s triệu). Chỉ nhận ảnh đến %d triệu điểm ảnh, đủ cho ảnh chụp bằng điện thoại "+
		"(ảnh thường 4000×3000 là 12 triệu, chế độ độ phân giải cao 8160×6120 là 50 triệu). Hãy chụp lại ở chế độ thường hoặc gửi ảnh chụp màn hình.",
		h.width, h.height, megapixels(int64(h.width)*int64(h.height)), MaxPhotoPixels/1_000_000)
}

// overBudgetMessage says how large a photo of h's kind may be: the
// decode's share grows with the pixels, the rest is bounded by the
// stored size.
func (c *PhotoCleaner) overBudgetMessage(h photoHeader) string {
	px := int64(h.width) * int64(h.height)
	perPixel := float64(h.decodeBytes) / float64(px)
	rest := h.cleanBytes() - h.decodeBytes
	maxPx := int64(float64(c.budget-rest) / perPixel)
	ew := int(math.Sqrt(float64(maxPx)*4/3)) / 40 * 40
	return fmt.Sprintf("Ảnh quá lớn để xử lý: %d×%d điểm ảnh (%s triệu), kiểu %s cần nhiều bộ nhớ. Với kiểu ảnh này chỉ nhận đến khoảng %s triệu điểm ảnh (ví dụ %d×%d). "+
		"Hãy gửi ảnh gốc chụp bằng điện thoại (nhận đến %d triệu điểm ảnh) hoặc ảnh chụp màn hình.",
		h.width, h.height, megapixels(px), h.kind, megapixels(maxPx), ew, ew*3/4, MaxPhotoPixels/1_000_000)
}

// megapixels writes n pixels in millions, Vietnamese style ("12" or "7,5").
func megapixels(n int64) string {
	tenths := n / 100_000
	if tenths%10 == 0 || tenths >= 100 {
		return fmt.Sprint(tenths / 10)
	}
	return fmt.Sprintf("%d,%d", tenths/10, tenths%10)
}
