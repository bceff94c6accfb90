#!/usr/bin/env bash
# Run every test: set up .venv (requirements + test extra), make sure Debian's Chromium is
# installed for the browser tests, install the local classroom hub (deploy/install_hub.sh: its
# own .venv-hub, and configurable-http-proxy from npm), build the book strictly (the HTML and
# browser tests read the built book), then run pytest over tests/.
#
# Usage: bash scripts/test.sh [extra pytest arguments]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/_venv.sh
ensure_venv test

if [[ ! -x /usr/bin/chromium ]]; then
  echo "==> installing Debian's chromium for the browser tests"
  sudo=""
  [[ "$(id -u)" == 0 ]] || sudo="sudo"
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends chromium
fi

if ! command -v npm >/dev/null; then
  echo "==> installing Debian's nodejs and npm for the classroom hub's proxy"
  sudo=""
  [[ "$(id -u)" == 0 ]] || sudo="sudo"
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends nodejs npm
fi
# The local classroom server (.venv-hub + configurable-http-proxy) for
# tests/test_classroom_hub.py; a no-op when already installed and unchanged.
bash deploy/install_hub.sh

# A failed book build still runs the tests (the log then shows both), but fails the script.
build_status=0
RNN_BOOK_SKIP_VENV=1 bash scripts/build_book.sh || build_status=$?
# The printable PDF (tests/test_pdf.py reads it): every page printed by Chromium.
pdf_status=0
if [[ $build_status -eq 0 ]]; then
  .venv/bin/python scripts/build_pdf.py || pdf_status=$?
fi

# The book was just built and Chromium is installed: tests that need them must run, not skip.
export RNN_BOOK_REQUIRE_BOOK=1
# ensure_venv installed the test extra (CPU torch): the PyTorch parity tests must run, not skip.
export RNN_BOOK_REQUIRE_TORCH=1
# Small matrices: one BLAS thread is faster and steadier (see build_book.sh).
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}" OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
test_status=0
.venv/bin/python -m pytest tests "$@" || test_status=$?

if [[ $build_status -ne 0 ]]; then
  echo "==> FAILED: the strict book build (exit $build_status); see the warnings above" >&2
  exit "$build_status"
fi
if [[ $pdf_status -ne 0 ]]; then
  echo "==> FAILED: printing the PDF (exit $pdf_status)" >&2
  exit "$pdf_status"
fi
exit "$test_status"
