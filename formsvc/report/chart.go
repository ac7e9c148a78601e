package report

import (
	"fmt"
	"html/template"
	"strings"
)

// BarChart draws a bar chart as inline SVG on the server: no script, no
// other host, readable by screen readers through its title and the table
// the page shows beside it.
func BarChart(title string, labels []string, values []int) template.HTML {
	const w, h, top, bottom, left = 640, 220, 20, 40, 36
	maxV := 1
	for _, v := range values {
		maxV = max(maxV, v)
	}
	n := max(len(values), 1)
	slot := float64(w-left) / float64(n)
	var b strings.Builder
	// The name is on the element itself: a page may hold several charts
	// (the admin's dashboard, a report on both kinds), and ids would repeat.
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`, w, h, template.HTMLEscapeString(title))
	fmt.Fprintf(&b, `<title>%s</title>`, template.HTMLEscapeString(title))
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#4a4a4a"/>`, left, h-bottom, w, h-bottom)
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" text-anchor="end" fill="#1b1b1b">%d</text>`, left-4, top+4, maxV)
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" text-anchor="end" fill="#1b1b1b">0</text>`, left-4, h-bottom)
	for i, v := range values {
		bh := float64(h-top-bottom) * float64(v) / float64(maxV)
		x := float64(left) + float64(i)*slot + slot*0.15
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#0b4f6c"><title>%s: %d</title></rect>`,
			x, float64(h-bottom)-bh, slot*0.7, bh, template.HTMLEscapeString(labels[i]), v)
		if v > 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" text-anchor="middle" fill="#1b1b1b">%d</text>`, x+slot*0.35, float64(h-bottom)-bh-3, v)
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="11" text-anchor="middle" fill="#1b1b1b">%s</text>`,
			x+slot*0.35, h-bottom+16, template.HTMLEscapeString(labels[i]))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
