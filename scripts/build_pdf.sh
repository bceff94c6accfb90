#!/usr/bin/env bash
# One command for the printable book: build the HTML book (strict, cached), then print every
# page in headless Chromium into book/_build/pdf/rnn_book.pdf (scripts/build_pdf.py).
#
# Usage: bash scripts/build_pdf.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/_venv.sh
ensure_venv test # Playwright and pypdf are in the test extra
if [[ ! -x /usr/bin/chromium ]]; then
  echo "==> Debian's chromium is needed: apt-get install chromium (scripts/test.sh does it)" >&2
  exit 1
fi
RNN_BOOK_SKIP_VENV=1 bash scripts/build_book.sh
.venv/bin/python scripts/build_pdf.py "$@"
