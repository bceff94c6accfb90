#!/usr/bin/env bash
# Build the HTML book strictly: every chapter is executed, and any warning, broken reference,
# raising cell or stderr output fails the build. The result lands in book/_build/html/.
#
# Usage: bash scripts/build_book.sh
# Re-runs are fast: executed notebooks are cached in book/_build/.jupyter_cache and reused while
# neither the chapter's code nor the package (src/, pyproject.toml, requirements.txt) changed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/_venv.sh
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
  rm -rf book/_build/.jupyter_cache
  echo "$src_hash" >book/_build/.src-hash
fi

# On a new machine matplotlib builds its font cache on first import and may log that on
# stderr, which would fail the first chapter that plots. Build the cache here instead.
.venv/bin/python -c "import matplotlib.font_manager" 2>/dev/null || true

# --all re-reads every page so warnings are re-emitted on every run (Sphinx would otherwise
# skip unchanged pages and report success after an earlier failure).
# Execution reports of an earlier build would be printed as if they were this one's.
rm -rf book/_build/html/reports
start=$SECONDS
status=0
.venv/bin/jupyter-book build book -W -n --keep-going --all || status=$?

# Plain notebooks (no outputs) of every page, for Colab uploads and hand-outs:
# book/_build/html/notebooks/<same path as the page>.ipynb
export_ok=1
.venv/bin/python - <<'PY' || export_ok=0
from pathlib import Path

import jupytext

book = Path("book")
out = book / "_build" / "html" / "notebooks"
for md in sorted(book.rglob("*.md")):
    rel = md.relative_to(book)
    if rel.parts[0] in ("_build", "assets"):
        continue
    text = md.read_text(encoding="utf-8")
    if "format_name: myst" not in text:
        continue
    dest = out / rel.with_suffix(".ipynb")
    dest.parent.mkdir(parents=True, exist_ok=True)
    jupytext.write(jupytext.reads(text, fmt="md:myst"), dest, fmt="ipynb")
PY
if [[ $export_ok -ne 1 ]]; then
  echo "==> writing the plain notebooks failed" >&2
  [[ $status -ne 0 ]] || status=1
fi

if [[ $status -ne 0 ]]; then
  echo "==> BOOK BUILD FAILED (exit $status). Execution reports:" >&2
  shopt -s nullglob globstar
  for log in book/_build/html/reports/**/*.log; do
    echo "----- $log -----" >&2
    cat "$log" >&2
  done
  exit "$status"
fi

echo "==> book built in $((SECONDS - start)) s: book/_build/html/index.html"
