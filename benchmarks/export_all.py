"""Whole-process time of `cope-tui export --all --db DB > /dev/null`, cold and warm, against
Python start-up and a process that only reads and parses the DB file with orjson.

    python benchmarks/export_all.py [--quick] [--runs N]

Since issue 14 the export keeps each client's Markdown beside a plain DB (NAME.json.export,
export/kept_export.py) and renders again only the clients changed since, so there are two
exports to time on copies of the same demo DB, each opened once by a writer first (as the
app does after an upgrade: its summary then carries this version's stamp):
- `export_all_warm`: the next export of an unchanged DB (its kept file there): the target
  applies to this one (issue 14: median < 0.6 s at 10,000 meetings; it was < 1 s);
- `export_all_cold`: the first export of the copy (its kept file removed before each run):
  every client is parsed and rendered (the second half on a forked helper) and kept;
- `export_all_forked`: a copy without its summary, which the CLI cannot open as the app
  does: the two-process export of before (export/parallel.py), nothing kept.
The commands alternate (rotating order) after one warm-up each; each time is fork to
reap of a fresh process. A second floor parses with the cyclic GC off, as the Store does.
The three exports' outputs are compared byte for byte. Afterwards, in the same run: the
peak memory of the warm and the cold export (memory.py's export child) beside the
floor's. Diagnostic: benchmarks/_probe.py runs the real `cli.main` of the warm export
with timing wrappers (imports, guide, Store open and load, each export function, the
write to stdout, interpreter teardown).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import _common as c
from memory import EXPORT_CODE, export_peaks_kib, peak_rss_kib

FLOOR_CODE = "import sys, orjson\nwith open(sys.argv[1], 'rb') as f: orjson.loads(f.read())"
# The same with the cyclic GC off during the parse, as the Store does (gc_paused).
FLOOR_GC_OFF_CODE = "import gc, sys, orjson\ngc.disable()\nwith open(sys.argv[1], 'rb') as f: data = orjson.loads(f.read())\ngc.enable()"
PROBE = c.HERE / "_probe.py"
TARGET_MS = 600  # issue 14, point 4 (issue 6 asked for 1 s)
MEMORY_RUNS = 3


def probe_run(db: Path, env: dict[str, str], out: Path) -> dict[str, Any]:
    """One export under benchmarks/_probe.py: marks and per-function totals, ms since fork."""
    t_fork = time.monotonic()
    subprocess.run(
        [c.PYTHON, str(PROBE), "export", str(db)],
        env={**env, "BENCH_T_FORK": repr(t_fork), "BENCH_PHASES_OUT": str(out)},
        stdout=subprocess.DEVNULL,
        check=True,
    )
    reaped = time.monotonic() - t_fork
    data = json.loads(out.read_text())
    data["marks"]["reaped"] = reaped
    return data


def breakdown(samples: list[dict[str, Any]]) -> dict[str, Any]:
    names = {k for s in samples for k in s["marks"]}
    marks = {k: round(c.median([s["marks"][k] for s in samples if k in s["marks"]]) * 1000, 1) for k in names}
    steps = {}
    for label, a, b in [
        ("python_start", None, "python_ready"),
        ("import_cope_tui_cli", "python_ready", "cli_imported"),
        ("cli_main", "main_start", "main_returned"),
        ("teardown_after_main", "main_returned", "reaped"),
    ]:
        if b in marks and (a is None or a in marks):
            steps[label] = round(marks[b] - (marks[a] if a else 0.0), 1)
    keys = {k for s in samples for k in s["totals"]}
    totals = {k: round(c.median([s["totals"].get(k, 0.0) for s in samples]) * 1000, 1) for k in sorted(keys)}
    return {
        "note": "medians of benchmarks/_probe.py (the real cli.main with timing wrappers); "
        "function totals nest (an export function's time includes the store reads it makes)",
        "runs": len(samples),
        "steps": steps,
        "function_totals_ms": totals,
        "function_calls": samples[0].get("calls", {}),
        "marks_since_fork": dict(sorted(marks.items(), key=lambda kv: kv[1])),
    }


def peak_memory(db: Path, env: dict[str, str], before: Callable[[], None] = lambda: None) -> dict[str, Any]:
    """Medians of MEMORY_RUNS: the export's own peak RSS and its helper's (memory.py's
    EXPORT_CODE, the CLI's main), beside a process that reads and parses the file;
    `before` runs ahead of each export (the cold one removes the kept file)."""
    parts = []
    for _ in range(MEMORY_RUNS):
        before()
        parts.append(export_peaks_kib([c.PYTHON, "-c", EXPORT_CODE, str(db)], env))
    floor = c.median([peak_rss_kib([c.PYTHON, "-c", FLOOR_CODE, str(db)], env)[0] for _ in range(MEMORY_RUNS)]) * 1024
    own, helper, whole = (c.median([part[k] for part in parts]) * 1024 for k in (0, 1, 2))
    return {
        "note": "ru_maxrss in MB (1e6 bytes); sum_mb counts pages shared since the fork in both processes",
        "runs": MEMORY_RUNS,
        "forked": helper > 0,
        "parent_mb": round(own / 1e6, 1),
        "helper_mb": round(helper / 1e6, 1),
        "sum_mb": round((own + helper) / 1e6, 1),
        "largest_mb": round(whole / 1e6, 1),
        "orjson_read_parse_mb": round(floor / 1e6, 1),
        "ratio_largest_to_orjson_floor": c.ratio(whole, floor),
    }


def timed_run(argv: list[str], env: dict[str, str]) -> float:
    t = time.perf_counter()
    proc = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    took = time.perf_counter() - t
    if proc.returncode:
        tail = proc.stderr.decode(errors="replace")[-1500:]
        raise SystemExit(f"{' '.join(argv[:4])} ... failed with exit {proc.returncode}:\n{tail}")
    return took


# Opening the copy as the app does: a writer checks every record and stamps the summary.
OPEN_AS_APP_CODE = "import sys\nfrom cope_tui.store.store import Store\nStore(sys.argv[1]).close()"


def copies(pristine: Path, meetings: int, env: dict[str, str]) -> dict[str, Path]:
    """The warm, cold and forked exports' copies of the demo DB (see the module's doc)."""
    found = {name: c.working_copy(pristine, f"export-{name}-{meetings}") for name in ("warm", "cold", "forked")}
    for db in found.values():
        db.with_name(db.name + ".export").unlink(missing_ok=True)
        subprocess.run([c.PYTHON, "-c", OPEN_AS_APP_CODE, str(db)], env=env, check=True)
    found["forked"].with_name(found["forked"].name + ".summary").unlink()
    return found


def output_digest(argv: list[str], env: dict[str, str], out_file: Path) -> tuple[str, int]:
    with open(out_file, "wb") as fh:
        subprocess.run(argv, env=env, stdout=fh, check=True)
    data = out_file.read_bytes()
    out_file.unlink()
    return hashlib.sha256(data).hexdigest(), len(data)


def time_commands(
    commands: dict[str, list[str]], before: dict[str, Callable[[], None]], env: dict[str, str], runs: int
) -> dict[str, list[float]]:
    """Seconds of each run, the commands alternating in a rotating order after one warm-up
    each; `before` runs ahead of a command's every run (not timed)."""
    for name, argv in commands.items():
        before.get(name, lambda: None)()
        timed_run(argv, env)
    times: dict[str, list[float]] = {k: [] for k in commands}
    names = list(commands)
    for i in range(runs):
        order = names[i % len(names) :] + names[: i % len(names)]
        for name in order:
            before.get(name, lambda: None)()
            times[name].append(timed_run(commands[name], env))
        c.log(f"  run {i + 1}/{runs}: " + ", ".join(f"{n} {times[n][-1] * 1000:.0f} ms" for n in names))
    return times


def peak_memory_or_error(name: str, db: Path, env: dict[str, str], before: Callable[[], None]) -> dict[str, Any]:
    c.log(f"export_all: peak memory of the {name} export, {MEMORY_RUNS} runs")
    try:
        return peak_memory(db, env, before)
    except (RuntimeError, StopIteration) as exc:  # keep the timings; say what failed
        return {"error": str(exc) or "no PEAKS line"}


def figures(
    times: dict[str, list[float]],
    names: list[str],
    meetings: int,
    pristine: Path,
    outputs: dict[str, tuple[str, int]],
    kept_bytes: int,
    memory: dict[str, Any],
    details: dict[str, Any],
    quick: bool,
) -> dict[str, Any]:
    out_bytes = outputs["export_all_warm"][1]
    s = {k: c.summary_ms(v) for k, v in times.items()}
    warm, cold, forked, floor, floor_gc_off = (s[k]["p50_ms"] for k in names if k != "python_startup")
    result: dict[str, Any] = {
        "benchmark": "export_all",
        "quick": quick,
        "machine": c.machine(),
        "target": f"export --all median < {TARGET_MS / 1000:g} s at 10,000 meetings: the warm export "
        "(the next export of an unchanged DB, what it rendered kept beside it)",
        "meetings": meetings,
        "demo_seed": c.demo_seed(pristine),
        "db_bytes": pristine.stat().st_size,
        "output_bytes": out_bytes,
        "kept_export_bytes": kept_bytes,
        "outputs_identical": len({digest for digest, _n in outputs.values()}) == 1,
        "runs": s,
        "ratio_warm_to_orjson_floor": c.ratio(warm, floor),
        "ratio_cold_to_orjson_floor": c.ratio(cold, floor),
        "ratio_forked_to_orjson_floor": c.ratio(forked, floor),
        "ratio_warm_to_orjson_floor_gc_off": c.ratio(warm, floor_gc_off),
        "ratio_cold_to_forked": c.ratio(cold, forked),
        "warm_minus_floor_ms": round(warm - floor, 1),
        "meets_target": warm < TARGET_MS,
        "cold_meets_target": cold < TARGET_MS,
        "cold_lt_1s": cold < 1000,  # issue 6's target, for the first export
        "peak_rss": memory,
        "breakdown_ms": details,
    }
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="1,000 meetings")
    ap.add_argument("--runs", type=int, default=None, help="runs of each command (default 7, quick 5)")
    args = ap.parse_args()
    meetings = 1000 if args.quick else 10000
    runs = args.runs or (5 if args.quick else 7)

    pristine = c.demo_db(meetings)
    env = c.bench_env()
    dbs = copies(pristine, meetings, env)
    db, cold_kept = dbs["warm"], dbs["cold"].with_name(dbs["cold"].name + ".export")
    commands = {
        "export_all_warm": c.cope_cmd("export", "--all", "--db", str(db)),
        "export_all_cold": c.cope_cmd("export", "--all", "--db", str(dbs["cold"])),
        "export_all_forked": c.cope_cmd("export", "--all", "--db", str(dbs["forked"])),
        "python_startup": [c.PYTHON, "-c", "pass"],
        "orjson_read_parse": [c.PYTHON, "-c", FLOOR_CODE, str(db)],
        "orjson_read_parse_gc_off": [c.PYTHON, "-c", FLOOR_GC_OFF_CODE, str(db)],
    }
    before = {"export_all_cold": lambda: cold_kept.unlink(missing_ok=True)}
    c.log(f"export_all: {meetings} meetings ({pristine.stat().st_size / 1e6:.1f} MB), {runs} runs each + warm-up")
    times = time_commands(commands, before, env, runs)
    kept_bytes = db.with_name(db.name + ".export").stat().st_size
    names = list(commands)
    outputs = {name: output_digest(commands[name], env, db.parent / "export.md") for name in names[:3]}
    memory = {name: peak_memory_or_error(name, target, env, hook)
              for name, target, hook in (("warm", db, lambda: None), ("cold", dbs["cold"], before["export_all_cold"]))}

    c.log("export_all: phase breakdown of the warm export, 3 runs")
    try:
        details: dict[str, Any] = breakdown([probe_run(db, env, db.parent / f"phases-{i}.json") for i in range(3)])
    except Exception as exc:  # noqa: BLE001 - a diagnostic must not lose the figures above
        details = {"error": repr(exc)}

    result = figures(times, names, meetings, pristine, outputs, kept_bytes, memory, details, args.quick)
    c.emit(result)


if __name__ == "__main__":
    main()
