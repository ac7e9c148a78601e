package demo

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"math/rand/v2"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// demoPhoto draws a made-up street at night, a lit sign and the words
// "DU LIEU MAU" (demo data; the Go font has no Vietnamese letters), as a
// JPEG like a phone's: the cleaning step then works on it as on a real one.
func demoPhoto(rng *rand.Rand, n int) []byte {
	const w, h = 960, 720
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	// Night sky to street.
	for y := range h {
		c := color.RGBA{uint8(10 + y*40/h), uint8(14 + y*30/h), uint8(40 + y*50/h), 255}
		draw.Draw(img, image.Rect(0, y, w, y+1), image.NewUniform(c), image.Point{}, draw.Src)
	}
	// Houses with lit windows.
	x := 0
	for x < w {
		bw := 120 + rng.IntN(120)
		top := 240 + rng.IntN(160)
		wall := color.RGBA{uint8(60 + rng.IntN(60)), uint8(50 + rng.IntN(50)), uint8(45 + rng.IntN(40)), 255}
		draw.Draw(img, image.Rect(x, top, x+bw, h-120), image.NewUniform(wall), image.Point{}, draw.Src)
		for wy := top + 20; wy < h-160; wy += 60 {
			for wx := x + 15; wx+30 < x+bw; wx += 50 {
				if rng.IntN(3) > 0 {
					draw.Draw(img, image.Rect(wx, wy, wx+30, wy+36), image.NewUniform(color.RGBA{240, 210, 120, 255}), image.Point{}, draw.Src)
				}
			}
		}
		x += bw + 10
	}
	// The street and a sign.
	draw.Draw(img, image.Rect(0, h-120, w, h), image.NewUniform(color.RGBA{40, 40, 44, 255}), image.Point{}, draw.Src)
	sign := []color.RGBA{{200, 30, 90, 255}, {30, 150, 200, 255}, {220, 120, 20, 255}}[(n+rng.IntN(3))%3]
	draw.Draw(img, image.Rect(w/2-220, 150, w/2+220, 230), image.NewUniform(sign), image.Point{}, draw.Src)
	if f, err := opentype.Parse(gobold.TTF); err == nil {
		if face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: 54, DPI: 72}); err == nil {
			d := &font.Drawer{Dst: img, Src: image.White, Face: face}
			d.Dot = fixed.P(w/2-d.MeasureString("DU LIEU MAU").Round()/2, 210)
			d.DrawString("DU LIEU MAU")
		}
	}
	var buf bytes.Buffer
	jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}) // to a buffer: no error
	return buf.Bytes()
}
