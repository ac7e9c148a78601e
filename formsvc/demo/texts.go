package demo

import "github.com/hoaphong/phongchongmaidam/formsvc"

// Every text here is made up. Place names are invented ("thôn Mẫu Đông",
// "quán Hoa Giấy") and no line names a real person, business, account or
// telephone number: a support request's contact is "none" or "in person",
// never a number, and a tip's contact is an address under example.invalid
// (a name that can never exist on the internet).

var tipCategories = []string{"karaoke", "karaoke", "massage", "massage", "lodging", "cafe_bar", "online", "online", "street", "other"}

type tipTemplate struct {
	text             string
	minors, coercion bool
}

var tipTemplates = map[string][]tipTemplate{
	"karaoke": {
		{text: "Quán karaoke {name} thường đóng cửa sau {h} giờ nhưng vẫn có khách ra vào; có {n} cô gái trẻ ngồi tiếp khách trong phòng kín."},
		{text: "Khoảng {h} giờ tối thứ Bảy, tôi thấy {n} cô gái được xe đưa tới quán karaoke {name}, khách gọi các cô vào phòng rồi tắt đèn."},
		{text: "Nhân viên quán karaoke {name} rủ khách \"đi tiếp\" sang nhà nghỉ gần đó, nói giá ngay tại quầy.", coercion: false},
		{text: "Có một em gái trông khoảng 16 tuổi làm tiếp viên ở quán karaoke {name}, em nói bị chủ quán giữ giấy tờ, không cho về quê.", minors: true, coercion: true},
	},
	"massage": {
		{text: "Cơ sở xoa bóp {name} treo biển thư giãn nhưng có phòng riêng khóa cửa; khách nam vào khoảng một tiếng rồi ra."},
		{text: "Tôi làm gần cơ sở massage {name}: buổi tối có {n} cô gái mới đến, ở luôn tại tầng hai, ít khi được ra ngoài.", coercion: true},
		{text: "Cơ sở tắm hơi {name} quảng cáo \"dịch vụ đặc biệt\" qua tờ rơi dán ở cột điện đầu thôn."},
	},
	"lodging": {
		{text: "Nhà nghỉ {name} cho thuê phòng theo giờ; một người đàn ông dẫn {n} cô gái đến vào buổi tối, sáng sớm mới đi."},
		{text: "Nhà trọ {name} có mấy phòng cho các cô gái ở, có người ngoài đến đón đi vào khoảng {h} giờ hằng tối."},
		{text: "Hai em học sinh đi cùng một người đàn ông lớn tuổi vào nhà nghỉ {name} trong giờ học.", minors: true},
	},
	"cafe_bar": {
		{text: "Quán cà phê {name} có phòng kín phía sau, nhân viên nữ ngồi cùng khách; khách phải trả thêm tiền \"ngồi bàn\"."},
		{text: "Quán bar {name} mở nhạc đến khuya, có người môi giới giới thiệu các cô gái cho khách, hẹn đi nơi khác."},
	},
	"online": {
		{text: "Một tài khoản mạng xã hội tên \"{name} tuyển dụng\" đăng tin tuyển các em gái 16 đến 20 tuổi đi làm phục vụ nhà hàng ở nước ngoài, lương cao, lo hết giấy tờ, yêu cầu gửi ảnh toàn thân.", minors: true, coercion: true},
		{text: "Nhóm trò chuyện \"{name}\" trên ứng dụng nhắn tin rao bán \"gái gọi\" kèm ảnh và giá, hẹn gặp ở nhà nghỉ trong xã."},
		{text: "Có người nhắn tin cho con gái tôi qua mạng, hứa việc làm lương cao ở thành phố, rủ đi ngay không cần báo gia đình.", minors: true, coercion: true},
		{text: "Trang \"{name} việc nhẹ lương cao\" tuyển nữ đi làm ở cửa khẩu, trả trước tiền xe, giữ căn cước khi đến nơi.", coercion: true},
	},
	"street": {
		{text: "Tối nào cũng có {n} cô gái đứng ở đoạn đường gần {name}, xe máy dừng lại nói chuyện rồi chở đi."},
		{text: "Có người đàn ông đứng ở ngã ba {name} mời khách đi đường, dẫn vào ngõ nhỏ phía sau."},
	},
	"other": {
		{text: "Một căn nhà cho thuê ở {name} có nhiều người lạ ra vào ban đêm, cửa luôn đóng, hàng xóm nghi có hoạt động mua bán dâm."},
		{text: "Người quen của tôi được hứa đưa đi lấy chồng nước ngoài, đã nhận tiền đặt cọc, gia đình không liên lạc được nữa.", coercion: true},
	},
}

var placeNames = []string{"Hoa Giấy Mẫu", "Ánh Sao Mẫu", "Bình Minh Mẫu", "Cây Đa Mẫu", "Sen Hồng Mẫu", "Gió Nam Mẫu"}

var locations = map[string][]string{
	"karaoke":  {"Quán karaoke {name} (tên giả), đường Mẫu Một, thôn Mẫu Đông", "Quán karaoke {name} (tên giả), gần chợ Mẫu", "Karaoke {name} (tên giả), thôn Mẫu Tây"},
	"massage":  {"Cơ sở xoa bóp {name} (tên giả), đường Mẫu Hai", "Tiệm massage {name} (tên giả), cạnh cây xăng thôn Mẫu Nam"},
	"lodging":  {"Nhà nghỉ {name} (tên giả), đầu thôn Mẫu Bắc", "Nhà trọ {name} (tên giả), ngõ 5 đường Mẫu Một"},
	"cafe_bar": {"Quán cà phê {name} (tên giả), thôn Mẫu Đông", "Bar {name} (tên giả), đường Mẫu Ba"},
	"online":   {"Tài khoản mạng xã hội \"{name} tuyển dụng\" (tên giả)", "Nhóm trò chuyện \"{name}\" (tên giả)", "Trang \"{name} việc nhẹ lương cao\" (tên giả)"},
	"street":   {"Đoạn đường gần {name} (tên giả), thôn Mẫu Nam", "Ngã ba {name} (tên giả), gần chợ Mẫu"},
	"other":    {"Căn nhà cho thuê gần {name} (tên giả), xóm Mẫu Giữa", "Khu trọ công nhân {name} (tên giả)"},
}

var tipContacts = []string{"hộp thư nguoibao-mau@example.invalid", "hộp thư tinbao-mau-2@example.invalid"}

type supportTemplate struct {
	services []string
	text     string
}

var supportTemplates = []supportTemplate{
	{[]string{"vocational_training"}, "Tôi 24 tuổi, đang làm ở một quán massage, muốn học nghề may hoặc làm tóc để đổi việc."},
	{[]string{"job"}, "Tôi muốn tìm việc ở xưởng gần nhà, có giờ giấc ổn định để nuôi con nhỏ."},
	{[]string{"hiv", "health"}, "Tôi muốn xét nghiệm HIV mà không ai biết, và hỏi về thuốc dự phòng."},
	{[]string{"health"}, "Tôi cần khám phụ khoa, không có bảo hiểm y tế, không biết đi đâu."},
	{[]string{"legal_aid"}, "Chủ quán giữ căn cước của tôi và nói tôi còn nợ tiền, tôi muốn biết mình có phải trả không."},
	{[]string{"shelter"}, "Tôi cần chỗ ở tạm vài tuần, không muốn quay lại chỗ cũ."},
	{[]string{"counselling"}, "Tôi muốn nói chuyện với ai đó, dạo này tôi rất buồn và sợ."},
	{[]string{"reintegration", "job"}, "Tôi mới về quê, muốn làm lại giấy tờ và tìm việc, sợ người trong thôn biết chuyện cũ."},
	{[]string{"other"}, "Tôi cần hỏi về cách làm giấy khai sinh cho con."},
	{[]string{"vocational_training", "job"}, "Em 19 tuổi, muốn học nghề nấu ăn rồi đi làm ở nhà hàng."},
}

var preferredTimes = []string{"buổi chiều sau 14 giờ", "chỉ nhắn qua trang tra cứu, không gọi", "sáng thứ Bảy", "buổi tối sau 20 giờ"}

// Paths through the statuses (formsvc.Statuses), the first step first.
var tipPaths = [][]string{
	{"verifying", "substantiated", "referred", "closed"},
	{"verifying", "substantiated", "closed"},
	{"verifying", "substantiated", "closed"},
	{"verifying", "unsubstantiated", "closed"},
	{"verifying", "unsubstantiated", "closed"},
	{"verifying", "unsubstantiated", "closed"},
	{"verifying", "referred", "closed"},
}

var supportPaths = [][]string{
	{"contacted", "in_progress", "completed", "closed"},
	{"contacted", "in_progress", "completed", "closed"},
	{"contacted", "referred", "completed", "closed"},
	{"contacted", "referred", "completed", "closed"},
	{"contacted", "referred", "closed"},
	{"contacted", "closed"},
	{"in_progress", "completed"},
}

var statusNotes = map[formsvc.Kind]map[string][]string{
	formsvc.KindTip: {
		"verifying":       {"Tiếp nhận, giao tổ công an khu vực xác minh.", "Đã giao cho cán bộ phụ trách địa bàn kiểm tra."},
		"substantiated":   {"Kiểm tra thực tế phát hiện dấu hiệu vi phạm, đã lập biên bản.", "Xác minh có hoạt động mua bán dâm, đã xử phạt hành chính."},
		"unsubstantiated": {"Kiểm tra hai lần vào buổi tối, không phát hiện vi phạm.", "Không đủ căn cứ, tiếp tục theo dõi địa điểm."},
		"referred":        {"Chuyển hồ sơ tới Công an cấp tỉnh vì có dấu hiệu mua bán người.", "Chuyển cơ quan có thẩm quyền điều tra theo quy định."},
		"closed":          {"Kết thúc xử lý, lưu hồ sơ.", "Đã xử lý xong, đóng hồ sơ."},
	},
	formsvc.KindSupport: {
		"contacted":   {"Đã gặp trực tiếp tại nhà văn hóa thôn, người gửi đồng ý được hỗ trợ.", "Người gửi đọc lời nhắn và hẹn gặp tại trụ sở."},
		"in_progress": {"Đang làm thủ tục đăng ký học nghề.", "Đang kết nối với trạm y tế."},
		"referred":    {"Giới thiệu tới cơ sở y tế để xét nghiệm miễn phí.", "Giới thiệu tới trung tâm trợ giúp pháp lý.", "Giới thiệu tới nơi tạm lánh."},
		"completed":   {"Người gửi đã được nhận vào lớp học nghề.", "Đã hỗ trợ xong theo yêu cầu."},
		"closed":      {"Đóng hồ sơ sau khi hỗ trợ xong.", "Người gửi không cần hỗ trợ thêm, đóng hồ sơ."},
	},
}

var notes = map[formsvc.Kind][]string{
	formsvc.KindTip:     {"Hẹn kiểm tra lại vào tối thứ Sáu.", "Đã trao đổi với trưởng thôn, giữ kín người báo tin.", "Ảnh gửi kèm không rõ biển hiệu, cần xác minh thêm."},
	formsvc.KindSupport: {"Người gửi muốn gặp cán bộ nữ.", "Cần hỏi thêm về lịch học nghề của huyện cũ.", "Đã chuẩn bị danh sách cơ sở hỗ trợ gần nhất."},
}

var replies = map[formsvc.Kind][]string{
	formsvc.KindTip:     {"Cảm ơn bạn đã báo tin. Công an xã đang xác minh.", "Chúng tôi đã nhận tin và sẽ kiểm tra. Nếu có thêm thông tin, bạn gửi thêm ở trang tra cứu."},
	formsvc.KindSupport: {"Chào bạn, cán bộ xã có thể gặp bạn tại nhà văn hóa thôn vào chiều thứ Năm.", "Chúng tôi đã nhận yêu cầu. Bạn muốn gặp ở đâu thì thuận tiện?"},
}

var reporterMessages = map[formsvc.Kind][]string{
	formsvc.KindTip:     {"Tối qua quán lại mở cửa đến 1 giờ sáng.", "Tôi thấy thêm một xe biển số lạ đưa người tới."},
	formsvc.KindSupport: {"Chiều thứ Năm tôi đến được.", "Cảm ơn cán bộ, tôi muốn hỏi thêm về lớp học nghề."},
}
