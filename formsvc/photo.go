package formsvc

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"net/http"
)

// MaxPhotoPixels bounds the decoded size of a photo (a 5 MB file can
// declare a huge image that would exhaust memory when decoded).
const MaxPhotoPixels = 50_000_000

// CleanPhoto judges a file by its content (JPEG or PNG, whatever its name
// says) and re-encodes its pixels, which drops every piece of metadata:
// EXIF (GPS position, device, time), XMP, IPTC, comments and PNG text
// chunks. A phone's rotation flag is applied to the pixels first, so the
// photo still shows the right way up.
func CleanPhoto(data []byte) (Photo, error) {
	ct := http.DetectContentType(data)
	if ct != "image/jpeg" && ct != "image/png" {
		return Photo{}, fmt.Errorf("not a JPEG or PNG image (%s)", ct)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return Photo{}, fmt.Errorf("read image header: %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > MaxPhotoPixels {
		return Photo{}, fmt.Errorf("image is %dx%d pixels", cfg.Width, cfg.Height)
	}
	var out bytes.Buffer
	switch ct {
	case "image/jpeg":
		img, err := jpeg.Decode(bytes.NewReader(data))
		if err != nil {
			return Photo{}, fmt.Errorf("decode jpeg: %w", err)
		}
		img = orient(img, jpegOrientation(data))
		if err := jpeg.Encode(&out, img, &jpeg.Options{Quality: 90}); err != nil {
			return Photo{}, fmt.Errorf("encode jpeg: %w", err)
		}
	case "image/png":
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			return Photo{}, fmt.Errorf("decode png: %w", err)
		}
		if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&out, img); err != nil {
			return Photo{}, fmt.Errorf("encode png: %w", err)
		}
	}
	return Photo{ContentType: ct, Data: out.Bytes()}, nil
}
