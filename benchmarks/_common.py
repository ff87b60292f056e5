"""Shared helpers for the benchmark scripts (not a benchmark itself).

Every script measures its subject against a baseline run in the same process and
run, interleaved, and prints one JSON object to stdout; progress goes to stderr.
"""

from __future__ import annotations

import atexit
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
# The console script installed next to this interpreter (the venv's cope-tui).
COPE_TUI = str(Path(PYTHON).parent / "cope-tui")
if not os.path.exists(COPE_TUI):  # pragma: no cover - fall back to the module
    COPE_TUI = ""

CACHE_ENV = "COPE_BENCH_CACHE"  # run_all.py shares generated DBs between scripts
SEED = 1

_tmp_root: Path | None = None


def log(*parts: object) -> None:
    print("[bench]", *parts, file=sys.stderr, flush=True)


def emit(result: dict[str, Any]) -> None:
    json.dump(result, sys.stdout, indent=2, sort_keys=False)
    sys.stdout.write("\n")
    sys.stdout.flush()


def tmp_root() -> Path:
    """One temp folder per process, removed at exit; all data and XDG dirs go here."""
    global _tmp_root
    if _tmp_root is None:
        _tmp_root = Path(tempfile.mkdtemp(prefix="cope-bench-"))
        atexit.register(shutil.rmtree, _tmp_root, True)
    return _tmp_root


def cope_cmd(*args: str) -> list[str]:
    if COPE_TUI:
        return [COPE_TUI, *args]
    return [PYTHON, "-m", "cope_tui.cli.main", *args]


def bench_env(**extra: str) -> dict[str, str]:
    """Environment for child processes: never the user's real data or config dir."""
    root = tmp_root()
    env = dict(os.environ)
    env.pop("COPE_TUI_DB", None)
    env["XDG_DATA_HOME"] = str(root / "xdg-data")
    env["XDG_CONFIG_HOME"] = str(root / "xdg-config")
    env["XDG_CACHE_HOME"] = str(root / "xdg-cache")
    env["XDG_STATE_HOME"] = str(root / "xdg-state")
    # Bytecode as an installed package has it (pip compiles it at install), kept in the
    # temp folder: never compiling cope-tui's sources on every start, never writing
    # __pycache__ into the checkout. The warm-up run of each program fills it.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(root / "pycache")
    env.update(extra)
    return env


def clients_for(meetings: int) -> int:
    return max(8, meetings // 10)


def cache_dir() -> Path:
    shared = os.environ.get(CACHE_ENV)
    if shared:
        path = Path(shared)
        path.mkdir(parents=True, exist_ok=True)
        return path
    path = tmp_root() / "cache"
    path.mkdir(exist_ok=True)
    return path


def made_by() -> str:
    """Names the code that writes and checks a demo DB: the record checks' own id (the
    version and the models: a DB stamped under other checks is checked in full at its
    first open, which is not the session a figure is for), the file form and the demo.
    A cached DB made by other code is made again."""
    import hashlib

    from cope_tui.store import file_form, record_check

    digest = hashlib.sha256(record_check._rules_id().encode())
    digest.update(Path(file_form.__file__).read_bytes())
    for source in sorted((Path(file_form.__file__).parent.parent / "demo").glob("*.py")):
        digest.update(source.read_bytes())
    return digest.hexdigest()[:10]


def demo_db(meetings: int) -> Path:
    """A pristine demo DB with this many meetings, seed SEED (generated once per run, then
    cached). The DB file lives in its own folder with whatever sidecar files cope-tui
    wrote beside it. Never open the returned path with a writer: use working_copy() first.

    A failed generation stops the run with the demo's message. (It used to try the next
    seed: with 32-bit meeting ids, 50,000 meetings collided about one run in four. Ids
    are 64 bits now, so a failure is a bug to see, not bad luck to retry.)
    """
    clients = clients_for(meetings)
    folder = cache_dir() / f"demo-m{meetings}-c{clients}-s{SEED}-{made_by()}"
    path = folder / "db.json"
    if path.exists():
        return path
    build = folder.with_name(folder.name + ".build")
    shutil.rmtree(build, ignore_errors=True)
    build.mkdir()
    target = build / "db.json"
    log(f"generating demo DB: {meetings} meetings, {clients} clients, seed {SEED} ...")
    t0 = time.perf_counter()
    proc = subprocess.run(
        cope_cmd("demo", "--db", str(target), "--clients", str(clients), "--meetings", str(meetings), "--seed", str(SEED)),
        env=bench_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    if proc.returncode:
        shutil.rmtree(build, ignore_errors=True)
        raise SystemExit(f"cope-tui demo failed for {meetings} meetings, seed {SEED}: {proc.stderr.strip()}")
    for extra in build.glob("db.json.lock"):
        extra.unlink()
    os.replace(build, folder)
    log(f"  done in {time.perf_counter() - t0:.1f} s, {path.stat().st_size / 1e6:.1f} MB")
    return path


def demo_seed(path: Path) -> int:
    return int(path.parent.name.rsplit("-s", 1)[1].split("-")[0])


def working_copy(src: Path, name: str) -> Path:
    """A private copy of a pristine DB and its sidecars in a fresh folder.

    Sidecar files (journal, summary, ...) are copied; the lock and backup folders are not.
    """
    folder = tmp_root() / "work" / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for item in src.parent.iterdir():
        if item.name.endswith((".lock", ".backups")):
            continue
        if item.is_dir():
            shutil.copytree(item, folder / item.name)
        else:
            shutil.copyfile(item, folder / item.name)
            os.chmod(folder / item.name, 0o600)
    return folder / src.name


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def median(values: list[float]) -> float:
    ordered = sorted(values)
    n = len(ordered)
    if not n:
        return float("nan")
    mid = n // 2
    return ordered[mid] if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def summary_ms(seconds: list[float]) -> dict[str, Any]:
    """n, p50, p95, max, min in milliseconds."""
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "p50_ms": round(median(ms), 4),
        "p95_ms": round(percentile(ms, 95), 4),
        "max_ms": round(max(ms), 4) if ms else None,
        "min_ms": round(min(ms), 4) if ms else None,
    }


def ratio(a: float, b: float) -> float | None:
    if not b or math.isnan(a) or math.isnan(b):
        return None
    value = a / b
    return float(f"{value:.4g}")


def machine() -> dict[str, Any]:
    return {
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "platform": sys.platform,
        "tmp": str(tmp_root()),
    }
