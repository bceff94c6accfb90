"""The code of the page ``book/chapters/teaching.md`` (the teacher's guide): classroom sizing.

The per-student limits of the classroom deployments (``deploy/jupyterhub_config.py``,
``deploy/z2jh/config.yaml``) and the sizing table of ``deploy/README.md`` come from one rule,
applied here to the measurements that ``scripts/measure_chapter_resources.py`` writes to
``book/results/chapter_resources.json`` (peak memory and CPU time of one fresh kernel running
each chapter):

* memory guarantee = (Jupyter server + heaviest chapter's kernel) x ``HEADROOM``;
* memory limit = (Jupyter server + two heaviest kernels) x ``HEADROOM`` (two chapters open);
* both rounded up to a multiple of 128 MiB; CPU guarantee ``CPU_GUARANTEE``, limit ``CPU_LIMIT``;
* nodes of ``NODE_CPU`` vCPU / ``NODE_MEM_GIB`` GiB, less what the system keeps.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

__all__ = [
    "CPU_GUARANTEE",
    "CPU_LIMIT",
    "HEADROOM",
    "NODE_CPU",
    "NODE_MEM_GIB",
    "NODE_RESERVED_CPU",
    "NODE_RESERVED_MEM_GIB",
    "SERVER_RSS_MIB",
    "load_resources",
    "sizing",
]

#: MiB of one student's Jupyter server (jupyterhub-singleuser with JupyterLab), without
#: kernels: 133 MiB peak (VmHWM) measured on the local classroom hub after a student pulled
#: and ran book/chapters/unroll.md (tests/test_classroom_hub.py), rounded up.
SERVER_RSS_MIB = 160
#: Safety factor on measured memory (other BLAS builds, larger plots in a live session).
HEADROOM = 1.5
#: Cores each student is guaranteed when the whole class runs cells at the same moment.
CPU_GUARANTEE = 0.25
#: Cores one student may burst to.
CPU_LIMIT = 1.0
#: vCPUs of a node of the reference cluster (a common 4 vCPU / 16 GiB cloud VM).
NODE_CPU = 4.0
#: GiB of memory of that node.
NODE_MEM_GIB = 16.0
#: vCPUs of each node kept by the system and Kubernetes.
NODE_RESERVED_CPU = 0.2
#: GiB of each node kept by the system and Kubernetes.
NODE_RESERVED_MEM_GIB = 1.0


def load_resources(path: str | Path) -> dict:
    """The measurements: ``{"pages": [{"page", "peak_rss_mib", "cpu_seconds", ...}], ...}``."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not data.get("pages"):
        raise ValueError(f"{path}: expected a 'pages' list of measurements, got {list(data)}")
    return data


def _round_up(x: float, step: int) -> int:
    return int(math.ceil(x / step) * step)


def sizing(data: dict, students=(30, 300)) -> dict:
    """Per-student limits and the cluster size for each class size, from the measurements.

    ``data`` is the content of ``book/results/chapter_resources.json``. Returns a dict with
    ``heaviest`` (the page record with the largest peak memory), ``slowest`` (largest CPU
    time), ``worst_case_run_seconds`` (the slowest page's CPU time at the CPU guarantee, i.e.
    when the whole class runs it at the same moment), ``mem_guarantee_mib``,
    ``mem_limit_mib``, ``cpu_guarantee``, ``cpu_limit``, ``students_per_node`` and ``classes``:
    one dict per class size with ``students``, ``ram_gib`` (sum of guarantees),
    ``ram_peak_gib`` (everyone at the limit), ``cores`` (sum of CPU guarantees), ``nodes``
    (nodes needed for the guarantees, whichever of memory or CPU binds first, at least 1).
    """
    pages = data["pages"]
    heaviest = max(pages, key=lambda p: p["peak_rss_mib"])
    slowest = max(pages, key=lambda p: p["cpu_seconds"])
    guarantee = _round_up((SERVER_RSS_MIB + heaviest["peak_rss_mib"]) * HEADROOM, 128)
    limit = _round_up((SERVER_RSS_MIB + 2 * heaviest["peak_rss_mib"]) * HEADROOM, 128)
    node_mem_mib = (NODE_MEM_GIB - NODE_RESERVED_MEM_GIB) * 1024
    node_cpu = NODE_CPU - NODE_RESERVED_CPU
    per_node = int(min(node_mem_mib // guarantee, node_cpu // CPU_GUARANTEE))
    classes = [
        {
            "students": n,
            "ram_gib": round(n * guarantee / 1024, 1),
            "ram_peak_gib": round(n * limit / 1024, 1),
            "cores": round(n * CPU_GUARANTEE, 1),
            "nodes": max(1, math.ceil(n / per_node)),
        }
        for n in students
    ]
    return {
        "heaviest": heaviest,
        "slowest": slowest,
        "worst_case_run_seconds": round(slowest["cpu_seconds"] / CPU_GUARANTEE),
        "mem_guarantee_mib": guarantee,
        "mem_limit_mib": limit,
        "cpu_guarantee": CPU_GUARANTEE,
        "cpu_limit": CPU_LIMIT,
        "students_per_node": per_node,
        "classes": classes,
    }
