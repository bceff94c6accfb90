#!/usr/bin/env bash
# Build the HTML book strictly: every chapter is executed, and any warning, broken reference,
# raising cell or stderr output fails the build. The result lands in book/_build/html/.
#
# Usage: bash scripts/build_book.sh [--student] [--publish-config FILE] [--path-output DIR]
#                                   [--no-execute]
#   --publish-config FILE  publishing settings (default book/publish.yml): a repository_url there
#                          turns on the Binder / Colab / JupyterHub launch buttons (README.md)
#   --student              the student edition, without any solution (HTML, page sources,
#                          notebooks, zip, search index): book/_build_student/_build/html/
#   --path-output DIR      build into DIR/_build/html instead
#   --no-execute           Sphinx only, for the tests' quick builds: no cell runs, so glued
#                          numbers are missing and warnings are not fatal (not a book to publish)
# Every page's plain notebook is in its download menu (book/_ext/nb_export.py), and
# rnn_book_notebooks.zip holds all of them plus the package (linked from the front page).
# Re-runs are fast: executed notebooks are cached in book/_build/.jupyter_cache and reused while
# neither the chapter's code nor the package (src/, pyproject.toml, requirements.txt) changed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/_venv.sh

student=0
execute=1
out=""
publish=book/publish.yml
while [[ $# -gt 0 ]]; do
  case "$1" in
    --student) student=1 ;;
    --publish-config) publish="$2"; shift ;;
    --publish-config=*) publish="${1#*=}" ;;
    --path-output) out="$2"; shift ;;
    --no-execute) execute=0 ;;
    *) echo "unknown argument: $1 (see the header of $0)" >&2; exit 2 ;;
  esac
  shift
done
[[ -f "$publish" ]] || { echo "no such publish config: $publish" >&2; exit 2; }
if [[ -z "$out" ]]; then
  out=book
  [[ $student -eq 0 ]] || out=book/_build_student
fi
mkdir -p "$out"
out="$(cd "$out" && pwd)"
html="$out/_build/html"
strict=(-W)
[[ $execute -eq 1 ]] || strict=()
[[ "${RNN_BOOK_SKIP_VENV:-0}" == 1 ]] || ensure_venv

# The chapters run textbook-sized matrices, where a second BLAS thread costs far more in
# hand-offs than it saves (one page took 85 s of CPU with two threads, 8 s with one), and the
# budget is "under a minute on one core". Callers may still override these.
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
export MKL_NUM_THREADS="${MKL_NUM_THREADS:-1}"

# The jupyter cache keys on a notebook's code only; drop it when the code it imports changed.
mkdir -p book/_build
src_hash="$(find src book/_config.yml pyproject.toml requirements.txt -type f \
  ! -path '*/__pycache__/*' ! -path '*.egg-info/*' -print0 | sort -z | xargs -0 sha256sum \
  | sha256sum | cut -d' ' -f1)"
if [[ "$(cat book/_build/.src-hash 2>/dev/null)" != "$src_hash" ]]; then
  rm -rf book/_build/.jupyter_cache book/_build_student/_build/.jupyter_cache
  echo "$src_hash" >book/_build/.src-hash
fi

# On a new machine matplotlib builds its font cache on first import and may log that on
# stderr, which would fail the first chapter that plots. Build the cache here instead.
.venv/bin/python -c "import matplotlib.font_manager" 2>/dev/null || true

# --all re-reads every page so warnings are re-emitted on every run (Sphinx would otherwise
# skip unchanged pages and report success after an earlier failure).
# Execution reports of an earlier build would be printed as if they were this one's.
rm -rf "$html/reports"
start=$SECONDS
status=0
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cfg_args=(--publish-config "$publish")
[[ $student -eq 0 ]] || cfg_args+=(--student)
[[ $execute -eq 1 ]] || cfg_args+=(--no-execute)
if [[ $student -eq 0 ]]; then
  .venv/bin/python scripts/book_config.py "$work/config.yml" "${cfg_args[@]}"
  .venv/bin/jupyter-book build book --config "$work/config.yml" --path-output "$out" \
    "${strict[@]}" -n --keep-going --all || status=$?
else
  # The student edition is built from a copy of the book whose pages lost their solutions, so
  # no output (HTML, _sources, notebooks, zip, searchindex.js) can contain one. src/ is linked
  # beside the copy: pages include package code by relative path (../../src/...).
  mkdir -p "$work/repo"
  mkdir "$work/repo/book"
  for f in book/* book/.[!.]*; do
    [[ -e "$f" && "$f" != book/_build && "$f" != book/_build_student ]] || continue
    cp -r "$f" "$work/repo/book/"
  done
  ln -s "$PWD/src" "$work/repo/src"
  cp pyproject.toml requirements.txt LICENSE "$work/repo/"
  .venv/bin/python scripts/export_notebooks.py --strip-solutions "$work/repo/book"
  .venv/bin/python scripts/book_config.py "$work/config.yml" "${cfg_args[@]}" \
    --book "$work/repo/book"
  rm -rf "$html"
  .venv/bin/jupyter-book build "$work/repo/book" --config "$work/config.yml" \
    --path-output "$out" "${strict[@]}" -n --keep-going --all || status=$?
fi

if [[ $status -ne 0 ]]; then
  echo "==> BOOK BUILD FAILED (exit $status). Execution reports:" >&2
  shopt -s nullglob globstar
  for log in "$html"/reports/**/*.log; do
    echo "----- $log -----" >&2
    cat "$log" >&2
  done
  exit "$status"
fi

echo "==> book built in $((SECONDS - start)) s: $html/index.html"
