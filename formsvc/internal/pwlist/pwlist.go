// Package pwlist makes the list of common passwords that officers may not
// choose (formsvc/common-passwords.txt). Everything in it is generated
// here, from word lists written for this project and from the patterns
// that people fall back on: keyboard walks, digit runs, years, dates,
// Vietnamese names, places and phrases. No third-party password dump is
// copied in; the entries under "top" are the passwords that every published
// ranking of leaked passwords puts at the top, written from that common
// knowledge.
//
// Entries that only combine others with digits ("matkhau2024",
// "nguyenvanan1990") need not be listed: formsvc refuses a password that
// splits into at most three listed words and simple digit runs.
//
// Regenerate with `go generate ./formsvc` after changing a list.
package pwlist

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// top: the head of every published ranking of leaked passwords, and the
// words those rankings are made of.
var top = strings.Fields(`
123456 password 12345678 qwerty 123456789 12345 1234 111111 1234567 dragon
123123 baseball abc123 football monkey letmein 696969 shadow master 666666
qwertyuiop 123321 mustang 1234567890 michael 654321 superman 1qaz2wsx 7777777
121212 000000 qazwsx 123qwe killer trustno1 jordan jennifer zxcvbnm asdfgh
hunter buster soccer harley batman andrew tigger sunshine iloveyou 2000 charlie
robert thomas hockey ranger daniel starwars klaster 112233 george computer
michelle jessica pepper 1111 zxcvbn 555555 11111111 131313 freedom 777777 pass
maggie 159753 aaaaaa ginger princess joshua cheese amanda summer love ashley
nicole chelsea biteme matthew access yankees 987654321 dallas austin thunder
taylor matrix minecraft william corvette hello martin heather secret merlin
diamond 1234qwer gfhjkm hammer silver 222222 88888888 anthony justin test
bailey q1w2e3r4t5 patrick internet scooter orange 11111 golfer cookie richard
samantha bigdog guitar jackson whatever mickey chicken sparky snoopy maverick
phoenix camaro peanut morgan welcome falcon cowboy ferrari samsung andrea
smokey steelers joseph mercedes dakota arsenal eagles melissa boomer booboo
spider nascar monster tigers yellow xxxxxx 123123123 gateway marina diablo
bulldog qwer1234 compaq purple hardcore banana junior hannah 123654 porsche
lakers iceman money cowboys 987654 london tennis 999999 ncc1701 coffee scooby
0000 miller boston q1w2e3r4 brandon yamaha chester mother forever johnny edward
333333 oliver redsox player nikita knight fender barney midnight please brandy
chicago badboy slayer rangers charles angel flower bigdaddy rabbit wizard
jasmine enter rachel chris steven winner adidas victoria natasha 1q2w3e4r
jasper winter crystal alexander abcd1234 admin administrator root toor guest
login passw0rd p@ssw0rd p@ssword pa55word password1 password123 qwerty123
qwerty1 1q2w3e 1q2w3e4r5t 1q2w3e4r5t6y zaq12wsx zaq1zaq1 1qazxsw2 azerty
iloveu loveyou babygirl lovely princess1 daniel1 sunshine1 football1 monkey1
letmein1 welcome1 abc12345 qwertyui qwert asdfghjkl asdf1234 zxcv1234 123abc
a123456 a12345678 123456a 123456789a aa123456 aa12345678 qq123456 abc123456
google facebook youtube yahoo hotmail gmail apple iphone android samsung1
pokemon naruto superman1 batman1 starwars1 hello123 hellokitty kitty unknown
changeme default secret1 trustno1 letmein123 welcome123 master123 admin123
admin1234 root123 test123 test1234 guest123 user user123 demo demo123
`)

// vietnamese: passwords, phrases and words that Vietnamese users choose,
// without diacritics as they are typed on most phones, and the words of
// this service's own context (NIST SP 800-63B asks for those too).
var vietnamese = strings.Fields(`
matkhau matkhaucuatoi matkhaumoi matkhau123 matma mamat bimat bimatquocgia
khongbiet khongco khongnho quenmatkhau doimatkhau nhapmatkhau
anhyeuem emyeuanh yeuem yeuanh anhyeuemnhieulam emyeuanhnhieulam yeuemnhieulam
yeuanhnhieulam toiyeuban toiyeuem toiyeuanh yeuthuong tinhyeu tinhyeucuatoi
nguoiyeu nguoiyeucu vo chong vochong chongyeu voyeu conyeu emyeu anhyeu
iuem iuanh yeumai maimai yeumaimai maiyeuem foreverlove yeuemmaimai
hanhphuc giadinh giadinhlatatca bome bomeyeu mebe bame meyeu boyeu concua
cuccung cucvang baobei bebong bedau beyeu embe embeyeu conmeo conmeoden
concho cuncon meomeo gaugau chimse heocon
toiyeuvietnam vietnam vietnamvodich vietnamquehuongtoi quehuong quehuongtoi
tieudoi doituyen bongda vodich
hanoi saigon hochiminh tphcm hcm danang haiphong cantho hue nhatrang dalat
vungtau halong sapa quangninh thanhhoa nghean hatinh quangbinh quangtri
thuathienhue quangnam quangngai binhdinh phuyen khanhhoa ninhthuan binhthuan
kontum gialai daklak daknong lamdong binhphuoc tayninh binhduong dongnai
longan tiengiang bentre travinh vinhlong dongthap angiang kiengiang haugiang
soctrang baclieu camau haiduong hungyen thaibinh hanam namdinh ninhbinh
vinhphuc bacninh bacgiang langson caobang hagiang tuyenquang laocai yenbai
thainguyen backan phutho dienbien laichau sonla hoabinh
congan conganxa conganhuyen conganphuong conganvietnam canbo canboxa uybannhandan
ubnd ubndxa uyban xa huyen tinh phuong thonxom lanhdao chutich phochutich
quantri quantrivien quanly nguoidung taikhoan dangnhap hethong maychu
hoaphong xahoaphong phongchong phongchongmaidam maidam muabannguoi tinbao
tocao hotro vanhoa xahoi vanhoaxahoi laodong thuongbinh thuongbinhxahoi
tuyentruyen tuyentruyenmaidam tinhnguyen congtacxahoi
xinchao chaoban camon tambiet tuoitre thanhnien phunu bacho
`)

// Vietnamese personal names: family, middle and given names, without
// diacritics. Names alone and in pairs are listed; a full name with a
// birth year (nguyenvanan1990) is caught as a combination.
var (
	familyNames = strings.Fields(`
nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly
dao dinh mai trinh lam ha luong cao truong quach lai luu ta chu`)
	middleNames = strings.Fields(`
van thi duc minh ngoc thanh huu quoc dinh xuan hong kim thu gia bao anh
hoai phuong tuan`)
	givenNames = strings.Fields(`
an anh bac bach binh cam chau chi chien cong cuc cuong dai dan dang dao
dat diem diep dieu dinh doan dong duc dung dung duong duy duyen giang
gia hai ha han hang hanh hao hau hien hieu hoa hoai hoan hoang hong
hue hung huong huy huyen kha khang khanh khoa khoi khuong kien kieu kim
lam lan lanh lap le lien lieu linh loan loc loi long luan luong ly mai
manh minh my nam nga ngan nghia ngoc nguyet nhan nhat nhi nhien nhung
nhu ninh oanh phat phong phu phuc phuong quan quang que quoc quy quyen
quynh sang sinh son tai tam tan tang thach thai thang thanh thao thi
thinh tho thoa thong thu thuan thuc thuy thuong tien tin toan tra tram
trang tri trinh trong truc trung truong tu tuan tuong tuyen tuyet uyen
van vi viet vinh vu vy xuan yen`)
)

// keyboardRows are the rows of a QWERTY keyboard, as typed and shifted.
var keyboardRows = []string{"1234567890-=", "qwertyuiop[]", "asdfghjkl;'", "zxcvbnm,./", "!@#$%^&*()_+"}

// keyboardWalks are walks down the keyboard's columns and the other
// shapes people trace.
var keyboardWalks = strings.Fields(`
1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p zaq1xsw2cde3vfr4bgt5nhy6mju7 qazwsxedcrfvtgbyhnujmikolp
!qaz@wsx#edc$rfv 1q2w3e4r5t6y7u8i9o0p q1w2e3r4t5y6u7i8o9p0 qweasdzxc qweasd asdzxc zxcasdqwe
qwe123 asd123 zxc123 qweasd123 123qweasd 123qweasdzxc qweasdzxc123 1qazxsw2 2wsx3edc
147258369 147852369 741852963 789456123 123456789 987654321 159753 159357 753951 258456
963852741 852456 456852 147258 741852 369258147 12qwaszx 1qa2ws3ed 1q2w3e4r 4r3e2w1q
`)

// Generate returns the list: lower case, sorted, without repeats.
func Generate() []string {
	set := map[string]bool{}
	add := func(s string) {
		if s = strings.ToLower(s); len([]rune(s)) >= 4 {
			set[s] = true
		}
	}
	for _, s := range top {
		add(s)
	}
	for _, s := range vietnamese {
		add(s)
	}
	// Names are listed from two letters: "an" and "ly" are whole names,
	// and pieces of longer passwords.
	addName := func(s string) { set[s] = true }
	for _, g := range givenNames {
		addName(g)
		for _, f := range familyNames {
			addName(f + g)
		}
		for _, m := range middleNames {
			addName(m + g)
		}
	}
	for _, f := range familyNames {
		addName(f)
		for _, m := range middleNames {
			addName(f + m)
		}
	}
	for _, m := range middleNames {
		addName(m)
	}
	// Keyboard rows, forwards and backwards, from four keys to the whole row.
	for _, row := range keyboardRows {
		for _, s := range []string{row, reverse(row)} {
			for i := range len(s) {
				for j := i + 4; j <= len(s); j++ {
					add(s[i:j])
				}
			}
		}
	}
	for _, s := range keyboardWalks {
		for j := 6; j <= len(s); j++ {
			add(s[:j]) // every start of a walk
		}
	}
	// Digit and letter runs: ascending and descending, wrapping, four to
	// sixteen long; one repeated character.
	for _, alphabet := range []string{"0123456789", "abcdefghijklmnopqrstuvwxyz"} {
		for _, s := range []string{alphabet, reverse(alphabet)} {
			for start := range len(s) {
				run := ""
				for k := range 16 {
					run += string(s[(start+k)%len(s)])
					add(run)
				}
			}
		}
		for _, c := range alphabet {
			for n := 4; n <= 16; n++ {
				add(strings.Repeat(string(c), n))
			}
		}
	}
	// Years, and the years people were born, as they are typed.
	for y := 1950; y <= 2035; y++ {
		add(fmt.Sprint(y))
	}
	// Short digit groups repeated: 121212, 123123, 11223344.
	for _, g := range strings.Fields("12 21 69 123 321 112233 1122 1212 1313 2580 5683") {
		for n := 2; n <= 6; n++ {
			add(strings.Repeat(g, n))
		}
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

func reverse(s string) string {
	r := []rune(s)
	slices.Reverse(r)
	return string(r)
}

// Header is the note at the top of the file: where the list comes from.
const Header = `# Mật khẩu phổ biến mà cán bộ không được chọn (formsvc.CheckPasswordRules).
# Common passwords that officers may not choose (formsvc.CheckPasswordRules).
#
# Origin: generated by formsvc/internal/pwlist (go generate ./formsvc) from
# word lists written for this project: the passwords at the head of every
# published ranking of leaked passwords (written from common knowledge, no
# third-party list copied), Vietnamese passwords, phrases, places and names,
# the service's own context words, keyboard walks, digit and letter runs,
# and years. A password that only joins up to three of these with simple
# digit runs (a year, a date, 123) is refused too, without being listed.
# Do not edit by hand: change formsvc/internal/pwlist and regenerate.
`

// Write writes the file: the header, then one entry a line.
func Write(w io.Writer) error {
	if _, err := io.WriteString(w, Header); err != nil {
		return err
	}
	for _, s := range Generate() {
		if _, err := io.WriteString(w, s+"\n"); err != nil {
			return err
		}
	}
	return nil
}
