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
import math
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

# ---------------------------------------------------------------- the sizing rule (stated)
# Memory: the Jupyter server of one student (jupyterhub-singleuser + JupyterLab) measured on the
# local classroom hub, plus the heaviest chapter's kernel, times a headroom factor, rounded up to
# a multiple of 128 MiB. Students may open two chapters at once: the LIMIT allows two kernels.
# jupyterhub-singleuser with JupyterLab: peak 133 MiB (VmHWM) measured on the local classroom hub
# after a student pulled and ran book/chapters/unroll.md (tests/test_classroom_hub.py); rounded up
SERVER_RSS_MIB = 160
HEADROOM = 1.5
# CPU: a chapter must run in < 60 s on one core (the book's rule); the guarantee is what a class
# that runs cells at the same moment gets each, the limit lets one student burst to a full core.
CPU_GUARANTEE = 0.25
CPU_LIMIT = 1.0
# A node of the reference cluster: 4 vCPU / 16 GiB (e.g. a common "standard" cloud VM), of
# which ~1 GiB and 0.2 vCPU go to the system and Kubernetes.
NODE_CPU = 4.0
NODE_MEM_GIB = 16.0
NODE_RESERVED_CPU = 0.2
NODE_RESERVED_MEM_GIB = 1.0


def _round_up(x: float, step: int) -> int:
    return int(math.ceil(x / step) * step)


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


def sizing(data: dict, students=(30, 300)) -> dict:
    """Per-student limits and the cluster size for each class size, from the measurements.

    ``data`` is the content of ``book/results/chapter_resources.json``. Returns a dict with
    ``heaviest`` (the page record with the largest peak memory), ``slowest`` (largest CPU
    time), ``worst_case_run_seconds`` (the slowest page's CPU time at the CPU guarantee, i.e.
    when the whole class runs it at the same moment), ``mem_guarantee_mib``,
    ``mem_limit_mib``, ``cpu_guarantee``, ``cpu_limit`` and ``classes``: one dict per class size
    with ``students``, ``ram_gib`` (sum of guarantees), ``ram_peak_gib`` (everyone at the limit),
    ``cores`` (sum of CPU guarantees), ``nodes`` (4 vCPU / 16 GiB nodes needed for the
    guarantees, whichever of memory or CPU binds first, at least 1).
    """
    pages = data["pages"]
    heaviest = max(pages, key=lambda p: p["peak_rss_mib"])
    slowest = max(pages, key=lambda p: p["cpu_seconds"])
    one = SERVER_RSS_MIB + heaviest["peak_rss_mib"]
    guarantee = _round_up(one * HEADROOM, 128)
    limit = _round_up((SERVER_RSS_MIB + 2 * heaviest["peak_rss_mib"]) * HEADROOM, 128)
    node_mem_mib = (NODE_MEM_GIB - NODE_RESERVED_MEM_GIB) * 1024
    node_cpu = NODE_CPU - NODE_RESERVED_CPU
    per_node = int(min(node_mem_mib // guarantee, node_cpu // CPU_GUARANTEE))
    classes = []
    for n in students:
        classes.append(
            {
                "students": n,
                "ram_gib": round(n * guarantee / 1024, 1),
                "ram_peak_gib": round(n * limit / 1024, 1),
                "cores": round(n * CPU_GUARANTEE, 1),
                "nodes": max(1, math.ceil(n / per_node)),
            }
        )
    return {
        "heaviest": heaviest,
        "slowest": slowest,
        # the slowest chapter's Run All when every student runs it at once on the guarantee
        "worst_case_run_seconds": round(slowest["cpu_seconds"] / CPU_GUARANTEE),
        "mem_guarantee_mib": guarantee,
        "mem_limit_mib": limit,
        "cpu_guarantee": CPU_GUARANTEE,
        "cpu_limit": CPU_LIMIT,
        "students_per_node": per_node,
        "classes": classes,
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
