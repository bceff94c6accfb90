#!/usr/bin/env bash
# Time a full clean build of the book: every chapter executed, strict mode, into a throw-away
# output folder (book/_build and its execution cache are left alone, so this neither uses nor
# spoils the cache of a developer's incremental builds).
#
# Usage: bash benchmarks/bench_book_build.sh [--per-chapter]
#   PYTHON=/path/to/python  (default: python on PATH; jupyter-book is taken from the same bin/)
#   --per-chapter  also execute each chapter alone (jupytext -> nbclient) and print its time,
#                  the "< 60 s on one core" budget of every chapter.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
python=${PYTHON:-python}
bin=$(dirname "$(command -v "$python")")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
seconds() { "$python" -c 'import sys; print(f"{float(sys.argv[2]) - float(sys.argv[1]):.1f}")' "$1" "$2"; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$python" -c 'import jupyter_book, myst_nb, sphinx; print("jupyter-book", jupyter_book.__version__, "| myst-nb", myst_nb.__version__, "| sphinx", sphinx.__version__)'

# One thread per numerical library: the budget is "one core", and the timing should not depend
# on what the other core is doing.
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1

start=$(date +%s.%N)
status=0
"$bin/jupyter-book" build "$root/book" --path-output "$out" -W -n --keep-going >"$out/build.log" 2>&1 \
    || status=$?
end=$(date +%s.%N)
echo "clean book build: $(seconds "$start" "$end") s (exit status $status; last lines of the log:)"
tail -n 5 "$out/build.log"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

if [[ "${1:-}" == "--per-chapter" ]]; then
    echo
    echo "| chapter | execute (s) |"
    echo "|---|---:|"
    for md in "$root"/book/chapters/*.md; do
        name=$(basename "$md" .md)
        "$bin/jupytext" --quiet --to ipynb --output "$out/$name.ipynb" "$md"
        # nbclient (a myst-nb dependency) runs the notebook the way the book build does: in the
        # chapter's own folder, one kernel, cells in order.
        result=$("$python" - "$out/$name.ipynb" "$(dirname "$md")" <<'PY' 2>"$out/$name.err" || true
import sys, time
import nbclient, nbformat
nb = nbformat.read(sys.argv[1], as_version=4)
start = time.perf_counter()
try:
    nbclient.NotebookClient(nb, timeout=600, resources={"metadata": {"path": sys.argv[2]}}).execute()
    print(f"{time.perf_counter() - start:.1f}")
except Exception as exc:  # report and go on with the next chapter
    print(f"{time.perf_counter() - start:.1f} (FAILED: {type(exc).__name__})")
PY
        )
        echo "| $name | ${result:-FAILED: $(tail -n 1 "$out/$name.err")} |"
    done
fi
exit "$status"
