"""Measure what one student's kernel needs: peak memory and CPU time of every chapter.

Each chapter page (``book/chapters/*.md``) is executed top to bottom in a FRESH Python kernel,
the way the book build does (jupytext reads the MyST markdown, nbclient runs it). Just before
the kernel is shut down the script reads, for the kernel process:

- ``peak_rss_mib``: its peak resident memory (``VmHWM`` from ``/proc/<pid>/status``, the
  kernel's own high-water mark, so no sampling can miss a short peak);
- ``cpu_seconds``: user + system CPU time it used (``psutil``), and
- ``wall_seconds``: the wall time of executing all cells.

A student who opens a chapter runs exactly this, plus the Jupyter server around the kernel, so
the heaviest chapter (largest peak memory) sets the per-student limits of the deployment
(``deploy/z2jh/config.yaml``); :func:`sizing` turns the measurements into those limits and the
classroom sizing table of ``deploy/README.md``.

Usage (from the repository root; BLAS pinned to one thread like the build)::

    OPENBLAS_NUM_THREADS=1 PYTHONPATH=$PWD/src python scripts/measure_chapter_resources.py
    python scripts/measure_chapter_resources.py book/chapters/X.md   # (re)measure one page
    python scripts/measure_chapter_resources.py --table   # print the sizing table only

Writes ``book/results/chapter_resources.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = REPO_ROOT / "book" / "chapters"
RESULTS = REPO_ROOT / "book" / "results" / "chapter_resources.json"
# Pages without code (nothing to measure beyond an idle kernel) are still measured: they give
# the floor of a kernel's footprint.

# The sizing rule (server + heaviest kernel, headroom, CPU share, node size) lives in the
# package, rnn_book.chapters.teaching, so that the teacher's guide page glues the same numbers.
from rnn_book.chapters.teaching import (
    NODE_CPU,
    NODE_MEM_GIB,
    sizing,
)


def measure_page(path: Path, timeout: int = 600) -> dict:
    """Execute one page in a fresh kernel; return its peak RSS (MiB), CPU and wall seconds."""
    import jupytext
    import nbclient
    import psutil

    nb = jupytext.reads(path.read_text(encoding="utf-8"), fmt="md:myst")
    client = nbclient.NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=True,  # a failing cell is counted in "errors"; the measurement goes on
        resources={"metadata": {"path": str(path.parent)}},
    )
    errors = 0
    with client.setup_kernel():
        pid = client.km.provisioner.pid
        proc = psutil.Process(pid)
        start = time.perf_counter()
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index, execution_count=None)
        wall = time.perf_counter() - start
        status = Path(f"/proc/{pid}/status").read_text()
        hwm_kib = int(
            next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
        )
        cpu = proc.cpu_times()
        cpu_seconds = cpu.user + cpu.system + cpu.children_user + cpu.children_system
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            errors += out.get("output_type") == "error"
    return {
        "page": f"book/chapters/{path.name}",
        "peak_rss_mib": round(hwm_kib / 1024, 1),
        "cpu_seconds": round(cpu_seconds, 2),
        "wall_seconds": round(wall, 2),
        "errors": errors,
    }


def sizing_table(data: dict | None = None) -> str:
    """The classroom sizing table (markdown) for 30 and 300 students, from the measurements."""
    if data is None:
        data = json.loads(RESULTS.read_text(encoding="utf-8"))
    s = sizing(data)
    h = s["heaviest"]
    header = (
        f"Heaviest chapter: `{h['page']}`, kernel peak {h['peak_rss_mib']:.0f} MiB, "
        f"{h['cpu_seconds']:.0f} s CPU. Per student: memory guarantee "
        f"{s['mem_guarantee_mib']} MiB, limit {s['mem_limit_mib']} MiB; CPU guarantee "
        f"{s['cpu_guarantee']:g}, limit {s['cpu_limit']:g} core. Slowest chapter: "
        f"`{s['slowest']['page']}`, {s['slowest']['cpu_seconds']:.0f} s CPU, so about "
        f"{s['worst_case_run_seconds']} s to run when the whole class runs it at once."
    )
    columns = (
        "| students | RAM guaranteed | RAM if all at limit | CPU cores guaranteed "
        f"| nodes ({NODE_CPU:g} vCPU / {NODE_MEM_GIB:g} GiB) |"
    )
    lines = [
        header,
        "",
        columns,
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    for c in s["classes"]:
        lines.append(
            f"| {c['students']} | {c['ram_gib']:g} GiB | {c['ram_peak_gib']:g} GiB "
            f"| {c['cores']:g} | {c['nodes']} |"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "pages", nargs="*", help="pages to (re)measure, keeping the other records (default: all)"
    )
    parser.add_argument("--table", action="store_true", help="only print the sizing table")
    args = parser.parse_args(argv)
    if args.table:
        print(sizing_table())
        return 0
    pages = [Path(p) for p in args.pages] or sorted(CHAPTERS.glob("*.md"))
    records = []
    for path in pages:
        rec = measure_page(path.resolve())
        print(
            f"{rec['page']}: peak {rec['peak_rss_mib']:.0f} MiB, CPU {rec['cpu_seconds']:.1f} s, "
            f"wall {rec['wall_seconds']:.1f} s, errors {rec['errors']}",
            flush=True,
        )
        records.append(rec)
    if args.pages and RESULTS.is_file():  # measuring some pages: keep the others' records
        kept = json.loads(RESULTS.read_text(encoding="utf-8"))["pages"]
        done = {r["page"] for r in records}
        records = sorted(
            [r for r in kept if r["page"] not in done] + records, key=lambda r: r["page"]
        )
    data = {
        "what": "peak RSS (VmHWM) and CPU time of one fresh kernel executing each chapter page",
        "measured": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%MZ"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS", "default"),
        "pages": records,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(REPO_ROOT)}\n")
    print(sizing_table(data))
    return 1 if any(r["errors"] for r in records) else 0


if __name__ == "__main__":
    sys.exit(main())
