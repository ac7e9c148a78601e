// Package report builds the programme's period reports (6-monthly and
// annual, as the 2024 plan requires of the social-affairs officer) from
// the records' counting fields, and writes them as a printable HTML page
// with SVG charts or as an XLSX workbook with one sheet per table.
package report

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// Period is a half-open span of time [From, To) in Vietnam's time.
type Period struct {
	Label    string
	From, To time.Time
	// Code is how the period was asked for ("2026-H1", "2026",
	// "2026-01-01..2026-03-31"); empty for a previous period.
	Code string
}

var (
	halfRe = regexp.MustCompile(`^(\d{4})-H([12])$`)
	yearRe = regexp.MustCompile(`^(\d{4})$`)
)

// Bounds of a period: years the programme can have records for, and a
// custom span of at most two years (a report of 0001..9999 would be a
// page of tens of megabytes).
const (
	minYear       = 2000
	maxYear       = 2100
	maxCustomDays = 731
)

// ParsePeriod reads 2026-H1, 2026-H2, 2026 or FROM..TO (dates as
// YYYY-MM-DD, both days included), within the bounds above.
func ParsePeriod(s string) (Period, error) {
	p, err := parsePeriod(s)
	if err != nil {
		return p, err
	}
	if p.From.Year() < minYear || p.To.Year() > maxYear+1 || (p.To.Year() == maxYear+1 && p.To.YearDay() > 1) {
		return Period{}, fmt.Errorf("kỳ báo cáo %q ngoài khoảng cho phép: từ năm %d đến năm %d", strings.TrimSpace(s), minYear, maxYear)
	}
	if p.To.Sub(p.From) > maxCustomDays*24*time.Hour {
		return Period{}, fmt.Errorf("kỳ báo cáo %q dài quá: một kỳ tự chọn dài tối đa 2 năm (%d ngày)", strings.TrimSpace(s), maxCustomDays)
	}
	return p, nil
}

func parsePeriod(s string) (Period, error) {
	s = strings.TrimSpace(s)
	if m := halfRe.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		if m[2] == "1" {
			return Period{fmt.Sprintf("6 tháng đầu năm %d", y), date(y, 1, 1), date(y, 7, 1), s}, nil
		}
		return Period{fmt.Sprintf("6 tháng cuối năm %d", y), date(y, 7, 1), date(y+1, 1, 1), s}, nil
	}
	if m := yearRe.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		return Period{fmt.Sprintf("Năm %d", y), date(y, 1, 1), date(y+1, 1, 1), s}, nil
	}
	if a, b, ok := strings.Cut(s, ".."); ok {
		from, err1 := time.ParseInLocation("2006-01-02", a, formsvc.Vietnam)
		to, err2 := time.ParseInLocation("2006-01-02", b, formsvc.Vietnam)
		if err1 == nil && err2 == nil && !to.Before(from) {
			return Period{fmt.Sprintf("Từ %s đến %s", from.Format("02/01/2006"), to.Format("02/01/2006")), from, to.AddDate(0, 0, 1), s}, nil
		}
	}
	return Period{}, fmt.Errorf("kỳ báo cáo %q không hợp lệ: dùng 2026-H1, 2026-H2, 2026 hoặc 2026-01-01..2026-03-31", s)
}

func date(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, formsvc.Vietnam)
}

// Previous is the period before p, of the same kind: the previous half or
// year, or for a custom span the same number of days just before it.
func (p Period) Previous() Period {
	switch {
	case p.From.Month() == 1 && p.From.Day() == 1 && p.To.Equal(p.From.AddDate(1, 0, 0)):
		return Period{fmt.Sprintf("Năm %d", p.From.Year()-1), p.From.AddDate(-1, 0, 0), p.From, ""}
	case p.From.Day() == 1 && (p.From.Month() == 1 || p.From.Month() == 7) && p.To.Equal(p.From.AddDate(0, 6, 0)):
		prev := p.From.AddDate(0, -6, 0)
		half := "đầu"
		if prev.Month() == 7 {
			half = "cuối"
		}
		return Period{fmt.Sprintf("6 tháng %s năm %d", half, prev.Year()), prev, p.From, ""}
	}
	days := int(p.To.Sub(p.From).Hours() / 24)
	from := p.From.AddDate(0, 0, -days)
	return Period{fmt.Sprintf("Từ %s đến %s", from.Format("02/01/2006"), p.From.AddDate(0, 0, -1).Format("02/01/2006")), from, p.From, ""}
}
