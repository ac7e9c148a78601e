#!/usr/bin/env bash
# Chạy mọi bài kiểm thử. Tự cài những gì các bài kiểm thử cần nếu máy chưa có:
# Chromium của Debian (kiểm thử trên trình duyệt thật).
# Runs every test; installs Debian's Chromium first when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if [ ! -x /usr/bin/chromium ]; then
  echo "==> Cài Chromium (Debian) cho kiểm thử trên trình duyệt"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

echo "==> go vet"
go vet ./...
echo "==> go test"
go test -count=1 ./...
