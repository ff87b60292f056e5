"""Cold start to the first painted client list, against a bare Textual app started the same way.

    python benchmarks/cold_start.py [--quick] [--runs N] [--no-profile]

Each run spawns the program on a pseudo-terminal (pty.fork, TERM=xterm-256color,
80x24 set with TIOCSWINSZ before exec), times fork -> a marker on the terminal (for
`cope-tui --db DB` the code of the first client, "C-0001"; for benchmarks/bare_app.py
its label), then types ctrl+q and reaps the child. The two alternate, after one warm-up
each that is not counted. Target: median(cope-tui) / median(bare) <= 1.3.

A third program takes turns with them: cope-tui on the same DB encrypted (passphrase from
COPE_TUI_PASSPHRASE). Its start includes one key derivation, timed alone in fresh processes
and taken out for issue 6's target: (encrypted - KDF) / bare <= 1.3, KDF 0.2-1 s.

Diagnostics (not part of the ratio): the same start with timestamps at each phase
(benchmarks/_probe.py runs the real `cli.main` with timing wrappers: imports, Session
and Store open, guide, Textual import, client list mount, first refresh, the store's
background load, and after ctrl+q the close and the interpreter teardown), and one
run under cProfile, stopped at the first refresh.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pstats
import pty
import select
import signal
import struct
import subprocess
import termios
import time
from pathlib import Path
from typing import Any

import _common as c

ROWS, COLS = 24, 80
COPE_MARKER = "C-0001"  # the first client code of every demo DB, first row of the list
BARE = c.HERE / "bare_app.py"
PROBE = c.HERE / "_probe.py"


def _winsize(fd: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))


def run_on_pty(argv: list[str], env: dict[str, str], marker: str, timeout: float = 120.0) -> dict[str, Any]:
    """Fork on a pty, wait for marker, ctrl+q, reap. Times in seconds since the fork."""
    marker_b = marker.encode()
    env = {**env, "BENCH_T_FORK": ""}
    t_fork = time.monotonic()
    env["BENCH_T_FORK"] = repr(t_fork)
    pid, fd = pty.fork()
    if pid == 0:  # child: the pty is its controlling terminal and stdio
        try:
            _winsize(0)
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    _winsize(fd)
    seen = bytearray()
    t_marker = None
    deadline = t_fork + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
        if marker_b in seen[-(len(chunk) + len(marker_b)) :]:
            t_marker = time.monotonic()
            break
    t_quit = time.monotonic()
    try:
        os.write(fd, b"\x11")  # ctrl+q
    except OSError:
        pass
    # Keep reading so the child never blocks on a full pty while it exits.
    reaped = False
    while time.monotonic() < t_quit + timeout:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                if not os.read(fd, 65536):
                    break
            except OSError:  # EIO: the child closed the terminal (it has exited)
                break
        if os.waitpid(pid, os.WNOHANG)[0]:
            reaped = True
            break
    end = time.monotonic() + 10
    while not reaped and time.monotonic() < end:
        reaped = bool(os.waitpid(pid, os.WNOHANG)[0])
        if not reaped:
            time.sleep(0.002)
    if not reaped:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    t_reaped = time.monotonic()
    os.close(fd)
    if t_marker is None:
        tail = bytes(seen[-400:]).decode(errors="replace")
        raise RuntimeError(f"{marker!r} never appeared from {argv}; last output: {tail!r}")
    return {
        "to_marker": t_marker - t_fork,
        "quit": t_reaped - t_quit,
        "quit_sent": t_quit - t_fork,
        "reaped": t_reaped - t_fork,
    }


def phases_run(db: Path, env: dict[str, str], out: Path, profile: Path | None = None) -> dict[str, Any]:
    env = {**env, "BENCH_PHASES_OUT": str(out)}
    if profile is not None:
        env["BENCH_PROFILE"] = str(profile)
    timing = run_on_pty([c.PYTHON, str(PROBE), "app", str(db)], env, COPE_MARKER)
    data = json.loads(out.read_text())
    data["marks"]["marker_seen"] = timing["to_marker"]
    data["marks"]["quit_sent"] = timing["quit_sent"]
    data["marks"]["reaped"] = timing["reaped"]
    return data


STEPS = [  # (label, from mark, to mark); skipped when a mark is missing
    ("python_start", None, "python_ready"),
    ("import_cope_tui_cli", "python_ready", "cli_imported"),
    ("main_to_session_open", "main_start", "session_open_start"),
    ("session_open", "session_open_start", "session_open_end"),
    ("import_textual_and_app", "import cope_tui.app start", "import cope_tui.app done"),
    ("create_app", "import cope_tui.app done", "app_created"),
    ("app_run_to_app_mount", "app_created", "app_mount"),
    ("app_mount_to_clients_mount", "app_mount", "clients_screen_mount"),
    ("clients_screen_on_mount", "clients_screen_mount", "clients_screen_mounted"),
    ("to_first_refresh", "clients_screen_mounted", "after_first_refresh"),
    ("refresh_to_marker_on_pty", "after_first_refresh", "marker_seen"),
    ("store_background_load", "store_load_start", "store_load_end"),
    ("quit_to_app_run_returned", "quit_sent", "app_run_returned"),
    ("session_close", "session_close_start", "session_close_end"),
    ("main_returned_to_reaped", "main_returned", "reaped"),
]


def breakdown(samples: list[dict[str, Any]]) -> dict[str, Any]:
    names = {k for s in samples for k in s["marks"]}
    marks = {k: round(c.median([s["marks"][k] for s in samples if k in s["marks"]]) * 1000, 1) for k in names}
    steps = {}
    for label, a, b in STEPS:
        if b in marks and (a is None or a in marks):
            steps[label] = round(marks[b] - (marks[a] if a else 0.0), 1)
    keys = {k for s in samples for k in s["totals"]}
    totals = {k: round(c.median([s["totals"].get(k, 0.0) for s in samples]) * 1000, 1) for k in sorted(keys)}
    return {
        "runs": len(samples),
        "steps": steps,
        "function_totals_ms": totals,
        "function_calls": samples[0].get("calls", {}),
        "function_threads": samples[0].get("threads", {}),
        "marks_since_fork": dict(sorted(marks.items(), key=lambda kv: kv[1])),
    }


def _where(file: str, line: int, func: str) -> str:
    if not line:
        return func
    parts = Path(file).parts
    for anchor in ("site-packages", "src", "lib"):
        if anchor in parts:
            parts = parts[len(parts) - parts[::-1].index(anchor) :]
            break
    return f"{'/'.join(parts[-3:])}:{line}({func})"


def profile_top(path: Path, n: int = 15) -> dict[str, Any]:
    """Three views of one profiled start: modules imported, cope_tui functions, own time."""
    stats = pstats.Stats(str(path))
    rows = []
    for (file, line, func), (cc, nc, tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append(
            {
                "cum_ms": round(ct * 1000, 1),
                "own_ms": round(tt * 1000, 1),
                "calls": nc,
                "where": _where(file, line, func),
                "_file": file,
                "_func": func,
            }
        )

    def top(pred, key: str) -> list[dict[str, Any]]:
        picked = sorted((r for r in rows if pred(r)), key=lambda r: r[key], reverse=True)[:n]
        return [{k: v for k, v in r.items() if not k.startswith("_")} for r in picked]

    return {
        "note": "one run under cProfile until the first refresh of the client list; profiling inflates times",
        "imports_by_cumulative": top(lambda r: r["_func"] == "<module>", "cum_ms"),
        "cope_tui_by_cumulative": top(
            lambda r: "/cope_tui/" in r["_file"] and r["_func"] != "<module>",
            "cum_ms",
        ),
        "by_own_time": top(lambda r: True, "own_ms"),
    }


KDF_CODE = """
import sys, time
from cope_tui.store import crypto
params = crypto.read_header(__import__("pathlib").Path(sys.argv[1])).params
t = time.perf_counter()
crypto.derive(sys.argv[2], params)
print(time.perf_counter() - t)
"""


def kdf_times(db: Path, passphrase: str, runs: int) -> list[float]:
    """The key derivation of the encrypted DB's header alone (seconds), each in a fresh
    process as at start-up: its 160 MiB are touched for the first time there too."""
    times = []
    for _ in range(runs):
        out = subprocess.run([c.PYTHON, "-c", KDF_CODE, str(db), passphrase], capture_output=True, text=True, check=True)
        times.append(float(out.stdout.strip()))
    return times


def encrypted_figures(enc_t: list[dict[str, float]], kdf: list[float], bare: dict[str, Any]) -> dict[str, Any]:
    """Issue 6's start-up target: at most 1.3x the bare app, plus the KDF; the KDF 0.2-1 s.

    The start is compared with the bare app and a key derivation added together, never
    reduced by a KDF timed on its own: with COPE_TUI_PASSPHRASE set the key is derived in a
    thread while Textual is imported, so the two overlap, and "start minus KDF" came out
    below the bare app (0.63 of it) while no part of the app got faster.
    """
    es = c.summary_ms([r["to_marker"] for r in enc_t])
    ks = c.summary_ms(kdf)
    budget = 1.3 * bare["p50_ms"] + ks["p50_ms"]
    return {
        "target": "median(encrypted cope-tui to first paint) <= 1.3 x median(bare) + median(KDF); KDF 0.2-1 s",
        "to_first_paint": es,
        "kdf": ks,
        "bare_plus_kdf_ms": round(bare["p50_ms"] + ks["p50_ms"], 1),
        # 1 would be a bare app that also derives the key, one after the other; below 1
        # shows how much of the KDF the import hides.
        "ratio_to_bare_plus_kdf": c.ratio(es["p50_ms"], bare["p50_ms"] + ks["p50_ms"]),
        "target_ms": round(budget, 1),
        "meets_target": es["p50_ms"] <= budget and 200 <= ks["p50_ms"] <= 1000,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="1,000 meetings and 3 runs each")
    ap.add_argument("--runs", type=int, default=None, help="runs of each program (default 7, quick 3)")
    ap.add_argument("--no-profile", action="store_true", help="skip the cProfile diagnostic run")
    args = ap.parse_args()
    meetings = 1000 if args.quick else 10000
    runs = args.runs or (3 if args.quick else 7)
    phase_runs = 2 if args.quick else 3

    pristine = c.demo_db(meetings)
    db = c.working_copy(pristine, f"cold-{meetings}")
    env = c.bench_env(TERM="xterm-256color", COLUMNS=str(COLS), LINES=str(ROWS))
    for key in ("NO_COLOR", "TEXTUAL", "TEXTUAL_DEBUG"):
        env.pop(key, None)
    cope = c.cope_cmd("--db", str(db))
    bare = [c.PYTHON, str(BARE)]
    from bare_app import MARKER as BARE_MARKER

    # The same DB encrypted, opened with the passphrase from the environment: its start
    # includes one key derivation (scrypt), timed on its own below and taken out.
    enc_db = c.working_copy(pristine, f"cold-enc-{meetings}")
    enc_env = {**env, "COPE_TUI_PASSPHRASE": "benchmark passphrase"}
    subprocess.run(c.cope_cmd("encrypt", "--db", str(enc_db)), env=enc_env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    cope_enc = c.cope_cmd("--db", str(enc_db))

    c.log(f"cold_start: {meetings} meetings ({pristine.stat().st_size / 1e6:.1f} MB), {runs} runs each + warm-up")
    run_on_pty(cope, env, COPE_MARKER)  # warm-up: page cache, bytecode, sidecar files
    run_on_pty(bare, env, BARE_MARKER)
    run_on_pty(cope_enc, enc_env, COPE_MARKER)
    cope_t: list[dict[str, float]] = []
    bare_t: list[dict[str, float]] = []
    enc_t: list[dict[str, float]] = []
    for i in range(runs):
        trio = [(cope, COPE_MARKER, cope_t, env), (bare, BARE_MARKER, bare_t, env), (cope_enc, COPE_MARKER, enc_t, enc_env)]
        trio = trio[i % 3 :] + trio[: i % 3]  # rotate who goes first
        for argv, marker, sink, run_env in trio:
            sink.append(run_on_pty(argv, run_env, marker))
        c.log(
            f"  run {i + 1}/{runs}: cope-tui {cope_t[-1]['to_marker'] * 1000:.0f} ms, bare {bare_t[-1]['to_marker'] * 1000:.0f} ms, "
            f"encrypted {enc_t[-1]['to_marker'] * 1000:.0f} ms"
        )
    kdf = kdf_times(enc_db, enc_env["COPE_TUI_PASSPHRASE"], runs)

    cs = c.summary_ms([r["to_marker"] for r in cope_t])
    bs = c.summary_ms([r["to_marker"] for r in bare_t])
    result: dict[str, Any] = {
        "benchmark": "cold_start",
        "quick": args.quick,
        "machine": c.machine(),
        "target": "median(cope-tui to first painted client list) / median(bare Textual app) <= 1.3",
        "meetings": meetings,
        "demo_seed": c.demo_seed(pristine),
        "db_bytes": pristine.stat().st_size,
        "cope_tui_to_first_paint": cs,
        "bare_app_to_first_paint": bs,
        "ratio_median": c.ratio(cs["p50_ms"], bs["p50_ms"]),
        "ratio_p95": c.ratio(cs["p95_ms"], bs["p95_ms"]),
        "meets_target": (c.ratio(cs["p50_ms"], bs["p50_ms"]) or 99) <= 1.3,
        "encrypted": encrypted_figures(enc_t, kdf, bs),
        "quit_ms_median": {
            "cope_tui": round(c.median([r["quit"] for r in cope_t]) * 1000, 1),
            "bare_app": round(c.median([r["quit"] for r in bare_t]) * 1000, 1),
        },
    }

    # ---- where the time goes --------------------------------------------------------
    c.log(f"cold_start: phase breakdown, {phase_runs} runs")
    folder = db.parent
    try:
        samples = [phases_run(db, env, folder / f"phases-{i}.json") for i in range(phase_runs)]
        result["breakdown_ms"] = {
            "note": "medians of benchmarks/_probe.py (the real cli.main with timing wrappers), ms since fork",
            **breakdown(samples),
            "bare_app_total": bs["p50_ms"],
        }
    except Exception as exc:  # noqa: BLE001 - a diagnostic must not lose the figures above
        result["breakdown_ms"] = {"error": repr(exc)}
    if not args.no_profile:
        c.log("cold_start: one run under cProfile (until the first refresh of the client list)")
        prof = folder / "start.prof"
        try:
            phases_run(db, env, folder / "phases-prof.json", profile=prof)
            result["profile"] = profile_top(prof)
        except Exception as exc:  # noqa: BLE001
            result["profile"] = {"error": repr(exc)}
    c.emit(result)


if __name__ == "__main__":
    main()
