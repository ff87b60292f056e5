"""Peak RSS of a process that opens the Store and loads all meetings, and of `export --all`,
beside the DB file size.

    python benchmarks/memory.py [--quick] [--runs N]

Each figure is the ru_maxrss of one child process, read with os.wait4. For a child
that forked and reaped a child of its own, that number is the larger of the two peaks
(Linux's wait4 and RUSAGE_CHILDREN report the largest process, not a sum), so the export,
which renders a large DB on two processes, reports its own peak and its helper's
(RUSAGE_SELF and RUSAGE_CHILDREN, read by the export's process once it has reaped the
helper) and their sum. Baselines in the same run: `python -c pass`, and a process that
reads and parses the DB file with orjson. The children alternate; the median of the
runs is reported (peak RSS barely varies).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from typing import Any

import _common as c

FLOOR_CODE = "import sys, orjson\nwith open(sys.argv[1], 'rb') as f: data = orjson.loads(f.read())"

LOAD_CODE = """
import sys
from pathlib import Path
from cope_tui.store.store import Store
store = Store(Path(sys.argv[1]), read_only=True)
meetings = store.meetings()
clients = store.clients()
assert meetings and clients
store.close()
"""

# What the app does on the way in and out: a writer, all records loaded, close (compaction).
LOAD_RW_CODE = LOAD_CODE.replace("read_only=True", "read_only=False")

# `cope-tui export --all --db DB` (the CLI's main, as benchmarks/_probe.py runs it), then
# its own peak and its helper's: the helper has been reaped by then, so RUSAGE_CHILDREN
# is its peak (0 when the export did not fork).
EXPORT_CODE = """
import os, resource, sys
from cope_tui.cli import main as cli
code = cli.main(["export", "--all", "--db", sys.argv[1]])
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
helper = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
sys.stdout.flush()
os.write(2, f"PEAKS {own} {helper}\\n".encode())
sys.exit(code)
"""


def peak_rss_kib(argv: list[str], env: dict[str, str]) -> tuple[int, bytes]:
    """The child's ru_maxrss (KiB on Linux) and what it wrote to stderr."""
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.stderr:
        proc.stderr.close()
    if proc.returncode:
        raise RuntimeError(f"{argv[:3]}... failed ({proc.returncode}): {stderr.decode(errors='replace')[-800:]}")
    return usage.ru_maxrss, stderr


def export_peaks_kib(argv: list[str], env: dict[str, str]) -> tuple[int, int, int]:
    """(the export's own peak, its helper's peak, what wait4 reports for the export) in
    KiB; the helper's is 0 without a fork, and wait4's is the larger of the other two."""
    whole, stderr = peak_rss_kib(argv, env)
    line = next(line for line in stderr.decode().splitlines() if line.startswith("PEAKS "))
    own, helper = (int(n) for n in line.split()[1:])
    return own, helper, whole


def run_size(meetings: int, runs: int) -> dict[str, Any]:
    pristine = c.demo_db(meetings)
    db = c.working_copy(pristine, f"mem-{meetings}")
    rw = c.working_copy(pristine, f"mem-rw-{meetings}")
    env = c.bench_env()
    commands = {
        "python_startup": [c.PYTHON, "-c", "pass"],
        "orjson_read_parse": [c.PYTHON, "-c", FLOOR_CODE, str(db)],
        "store_load_all_read_only": [c.PYTHON, "-c", LOAD_CODE, str(db)],
        "store_load_all_writer_then_close": [c.PYTHON, "-c", LOAD_RW_CODE, str(rw)],
        "export_all": [c.PYTHON, "-c", EXPORT_CODE, str(db)],
    }
    c.log(f"memory: {meetings} meetings ({pristine.stat().st_size / 1e6:.1f} MB), {runs} runs each")
    kib: dict[str, list[int]] = {k: [] for k in commands}
    export_parts: list[tuple[int, int, int]] = []
    errors: dict[str, str] = {}
    names = list(commands)
    for i in range(runs):
        order = names[i % len(names) :] + names[: i % len(names)]
        for name in order:
            try:
                if name == "export_all":
                    export_parts.append(export_peaks_kib(commands[name], env))
                    kib[name].append(sum(export_parts[-1][:2]))
                else:
                    kib[name].append(peak_rss_kib(commands[name], env)[0])
            except (RuntimeError, StopIteration) as exc:  # keep the other figures; say what failed
                errors[name] = str(exc) or f"{name}: no PEAKS line"
    db_bytes = pristine.stat().st_size
    base = c.median(kib["python_startup"]) * 1024
    floor = c.median(kib["orjson_read_parse"]) * 1024
    out: dict[str, Any] = {
        "meetings": meetings,
        "demo_seed": c.demo_seed(pristine),
        "db_bytes": db_bytes,
        "db_mb": round(db_bytes / 1e6, 1),
        "peak_rss": {},
    }
    for name, values in kib.items():
        if not values:
            out["peak_rss"][name] = {"error": errors.get(name, "no run")}
            continue
        rss = c.median(values) * 1024
        out["peak_rss"][name] = {
            "mb": round(rss / 1e6, 1),
            "max_mb": round(max(values) * 1024 / 1e6, 1),
            "times_db_size": c.ratio(rss, db_bytes),
            "above_python_mb": round((rss - base) / 1e6, 1),
            "ratio_to_orjson_floor": c.ratio(rss, floor),
        }
    if export_parts and "mb" in out["peak_rss"]["export_all"]:
        own, helper, whole = (c.median([part[k] for part in export_parts]) * 1024 for k in (0, 1, 2))
        out["peak_rss"]["export_all"].update(
            note="mb is the sum of both processes' peaks (pages shared after the fork are counted twice)",
            forked=helper > 0,
            parent_mb=round(own / 1e6, 1),
            helper_mb=round(helper / 1e6, 1),
            wait4_mb=round(whole / 1e6, 1),  # what was reported before: the larger peak only
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="500 and 1,000 meetings, 1 run")
    ap.add_argument("--runs", type=int, default=None, help="runs of each child (default 3, quick 1)")
    args = ap.parse_args()
    if sys.platform != "linux":
        c.log("memory: ru_maxrss is in KiB on Linux only; figures elsewhere are off by 1024")
    sizes = [500, 1000] if args.quick else [1000, 10000]
    runs = args.runs or (1 if args.quick else 3)
    results = [run_size(n, runs) for n in sizes]
    first, last = results[0], results[-1]
    result = {
        "benchmark": "memory",
        "quick": args.quick,
        "machine": c.machine(),
        "target": "report only: peak RSS beside DB size (no fixed target in the issue)",
        "sizes": results,
        "growth": {
            "meetings": [first["meetings"], last["meetings"]],
            "db_bytes_ratio": c.ratio(last["db_bytes"], first["db_bytes"]),
            **{
                f"{name}_rss_ratio": c.ratio(last["peak_rss"][name]["mb"], first["peak_rss"][name]["mb"])
                for name in ("store_load_all_read_only", "export_all")
                if "mb" in last["peak_rss"][name] and "mb" in first["peak_rss"][name]
            },
        },
    }
    c.emit(result)


if __name__ == "__main__":
    main()
