package report

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// The .docx chart's size in pixels: the SVG chart's, twice over.
const chartW, chartH = 1280, 440

var chartFace = sync.OnceValues(func() (font.Face, error) {
	f, err := opentype.Parse(goregular.TTF)
	if err != nil {
		return nil, err
	}
	return opentype.NewFace(f, &opentype.FaceOptions{Size: 22, DPI: 72, Hinting: font.HintingFull})
})

// chartPNG draws the bar chart of BarChart as a PNG, for the .docx: the
// same bars, counts and month labels (ASCII only: "01/26", "*").
func chartPNG(labels []string, values []int) ([]byte, error) {
	face, err := chartFace()
	if err != nil {
		return nil, err
	}
	const top, bottom, left = 40, 80, 72
	img := image.NewRGBA(image.Rect(0, 0, chartW, chartH))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	ink := image.NewUniform(color.RGBA{0x1b, 0x1b, 0x1b, 0xff})
	bar := image.NewUniform(color.RGBA{0x0b, 0x4f, 0x6c, 0xff})
	text := func(s string, x, y int, anchor string) {
		d := &font.Drawer{Dst: img, Src: ink, Face: face}
		w := d.MeasureString(s).Round()
		switch anchor {
		case "middle":
			x -= w / 2
		case "end":
			x -= w
		}
		d.Dot = fixed.P(x, y)
		d.DrawString(s)
	}
	maxV := 1
	for _, v := range values {
		maxV = max(maxV, v)
	}
	base := chartH - bottom
	draw.Draw(img, image.Rect(left, base, chartW, base+2), ink, image.Point{}, draw.Src)
	text(fmt.Sprint(maxV), left-8, top+8, "end")
	text("0", left-8, base, "end")
	n := max(len(values), 1)
	slot := float64(chartW-left) / float64(n)
	for i, v := range values {
		h := int(float64(chartH-top-bottom) * float64(v) / float64(maxV))
		x := left + int(float64(i)*slot+slot*0.15)
		w := int(slot * 0.7)
		draw.Draw(img, image.Rect(x, base-h, x+w, base), bar, image.Point{}, draw.Src)
		if v > 0 {
			text(fmt.Sprint(v), x+w/2, base-h-6, "middle")
		}
		if i < len(labels) {
			text(labels[i], x+w/2, base+32, "middle")
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
