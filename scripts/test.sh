#!/usr/bin/env bash
# Chạy mọi bài kiểm thử. Tự cài những gì các bài kiểm thử cần nếu máy chưa có:
# Chromium của Debian (kiểm thử trên trình duyệt thật), LibreOffice Writer không
# giao diện của Debian (mở tệp báo cáo .docx), PostgreSQL của Debian (các bài
# kiểm thử tự dựng một cụm tạm trong thư mục tạm, xem internal/pgtest)
# và axe-core (npm, kiểm tra khả năng tiếp cận, phiên bản ghim trong
# e2e/package-lock.json).
# Runs every test; installs Debian's Chromium, LibreOffice Writer (no GUI),
# PostgreSQL and axe-core first when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if [ ! -x /usr/bin/chromium ]; then
  echo "==> Cài Chromium (Debian) cho kiểm thử trên trình duyệt"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

if ! command -v soffice >/dev/null && ! command -v libreoffice >/dev/null; then
  echo "==> Cài LibreOffice Writer (Debian, không giao diện) để mở thử báo cáo .docx"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-writer-nogui >/dev/null
fi

if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
  echo "==> Cài PostgreSQL (Debian) cho kiểm thử kho dữ liệu PostgreSQL"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi

if [ ! -d e2e/node_modules/axe-core ]; then
  echo "==> Cài axe-core (npm) cho kiểm thử khả năng tiếp cận"
  if ! command -v npm >/dev/null; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
  fi
  npm ci --prefix e2e --no-audit --no-fund
fi

echo "==> gofmt, go mod tidy -diff, go vet, staticcheck"
unformatted=$(gofmt -l formsvc site e2e bench internal scripts data 2>/dev/null | grep -v node_modules || true)
if [ -n "$unformatted" ]; then echo "gofmt: chưa định dạng: $unformatted"; exit 1; fi
go mod tidy -diff
go vet ./...
# staticcheck is fetched at a pinned version through the module proxy (not a
# tool line: it would add its modules to the service's version selection).
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...
echo "==> go test"
go test -count=1 ./...

# Các gói mà bài kiểm thử mở kho dữ liệu qua internal/teststore chạy lại
# trên PostgreSQL (cùng các khẳng định): chỉ những gói này, để lượt chạy đủ vẫn ngắn.
# The packages whose tests open their store through internal/teststore run
# again on PostgreSQL; only those, to keep the full run short. e2e (below)
# is left out of this list: only part of it runs again.
store_pkgs=$(go list -f '{{.ImportPath}} {{join .TestImports " "}} {{join .XTestImports " "}}' ./... |
  awk '$1 !~ /\/e2e$/ {for (i = 2; i <= NF; i++) if ($i ~ /\/internal\/teststore$/) {print $1; break}}')
if [ -z "$store_pkgs" ]; then echo "không tìm thấy gói nào dùng internal/teststore"; exit 1; fi
echo "==> go test lần nữa trên PostgreSQL (FORMSVC_TEST_STORE=postgres):" $(echo "$store_pkgs" | sed 's|.*/phongchongmaidam/||')
started=$SECONDS
FORMSVC_TEST_STORE=postgres go test -count=1 $store_pkgs
echo "==> lượt PostgreSQL xong sau $((SECONDS - started)) giây"

# Kiểm thử trên trình duyệt (e2e) trên PostgreSQL: chỉ những bài ghi hoặc đọc
# kho dữ liệu qua dịch vụ thật (gửi tin báo, xin hỗ trợ, mã biên nhận và tra
# cứu, cán bộ đăng nhập và bàn làm việc, báo cáo). Chạy lại cả e2e tốn thêm
# khoảng 230 giây trên 2 nhân dùng chung; các bài này 95 đến 155 giây. Các bài còn lại
# (trang tĩnh, tìm kiếm, axe-core trên các trang, lỗi biểu mẫu chưa gửi, tệp
# tĩnh) không phụ thuộc kho nào.
# The browser tests that write or read the store through the real service
# run again on PostgreSQL: tips (sent, never twice, under the global limit
# the instances share), support requests, receipts and follow-up, officer
# login and console, reports. All of e2e again would add about 230 s on 2
# shared cores, these 95 to 155 s; the others (static pages, search, axe on the
# pages, form errors before anything is sent, the static binary) do not
# depend on the store.
e2e_store_tests='^(TestSendATip|TestNoSecondRecordWithoutJavaScript|TestProofOfWorkUnderPressure|TestAskForHelp|TestFollowUpWithTheReceipt|TestReceiptOnOnePhoneLine|TestOfficerClosesACase|TestConsoleOnAPhoneAndADesk|TestReportPage)$'
echo "==> e2e trên PostgreSQL: các bài ghi hoặc đọc kho dữ liệu"
started=$SECONDS
FORMSVC_TEST_STORE=postgres go test -count=1 -run "$e2e_store_tests" ./e2e/
echo "==> e2e trên PostgreSQL xong sau $((SECONDS - started)) giây"
