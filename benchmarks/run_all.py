"""Run every benchmark and print one combined JSON object.

    python benchmarks/run_all.py [--quick] [--only NAME ...]

The scripts run one after another as separate processes (so they never disturb each
other) and share one cache of generated demo DBs for this run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import _common as c

SCRIPTS = [
    "bytes_per_meeting", "save_latency", "cold_start", "export_all", "memory", "search", "followthrough",
    "encrypted", "backups", "usable", "sync",
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes for a smoke run")
    ap.add_argument("--only", nargs="+", choices=SCRIPTS, help="run only these")
    args = ap.parse_args()
    env = dict(os.environ)
    env.setdefault(c.CACHE_ENV, str(c.tmp_root() / "shared-cache"))
    combined: dict[str, object] = {"quick": args.quick, "machine": c.machine(), "results": {}, "summary": {}}
    failed = []
    for name in args.only or SCRIPTS:
        argv = [c.PYTHON, str(c.HERE / f"{name}.py")] + (["--quick"] if args.quick else [])
        c.log(f"run_all: {name}")
        t = time.perf_counter()
        proc = subprocess.run(argv, env=env, stdout=subprocess.PIPE, text=True, check=False)
        took = round(time.perf_counter() - t, 1)
        if proc.returncode:
            failed.append(name)
            combined["results"][name] = {"error": f"exit {proc.returncode}", "seconds": took}
            continue
        result = json.loads(proc.stdout)
        result["seconds"] = took
        combined["results"][name] = result
    combined["summary"] = summarise(combined["results"])
    c.emit(combined)
    sys.exit(1 if failed else 0)


def size_of(r: dict) -> dict:
    """What a figure was measured on: the demo DB's meetings, its size and its seed."""
    size: dict[str, object] = {"meetings": r.get("meetings")}
    if "db_bytes" in r:
        size["db_mb"] = round(r["db_bytes"] / 1e6, 1)
    size["demo_seed"] = r.get("demo_seed")
    return size


def summarise(results: dict) -> dict:
    """The headline figure of each target, side by side, each with its size and seed."""
    out: dict[str, object] = {}
    r = results.get("save_latency")
    if r and "sizes" in r:
        out["save_latency"] = {
            "target": r["target"],
            "by_meetings": {s["meetings"]: _save_figures(s) for s in r["sizes"]},
            "met": r["meets_target_all_sizes"],
        }
    r = results.get("bytes_per_meeting")
    if r and "lean_bytes_per_meeting" in r:
        out["bytes_per_meeting"] = {
            "target": r["target"],
            **size_of(r),
            "lean": r["lean_bytes_per_meeting"],
            "whole_format_1": r["whole_bytes_per_meeting"],
            "notes": r["notes_bytes_per_meeting"],
            "met": r["meets_target"],
        }
    r = results.get("usable")
    if r and "sizes" in r:
        out["usable"] = {
            "target": r["target"],
            "by_meetings": {
                s["meetings"]: {
                    "ms": s["usable_ms_median"],
                    "rss_mb": s["rss_mb_median"],
                    "after_a_days_change": s.get("after_a_days_change"),
                    "baseline": s["baseline"],
                }
                for s in r["sizes"]
            },
            "met": r["met"],
        }
    r = results.get("cold_start")
    if r and "ratio_median" in r:
        out.update(_cold_start_figures(r))
    r = results.get("export_all")
    if r and "runs" in r:
        out["export_all"] = {
            "target": r["target"],
            **size_of(r),
            "median_ms": {k: r["runs"][f"export_all_{k}"]["p50_ms"] for k in ("warm", "cold", "forked")},
            "ratio_to_orjson_floor": {k: r[f"ratio_{k}_to_orjson_floor"] for k in ("warm", "cold", "forked")},
            "output_bytes": r["output_bytes"],
            "outputs_identical": r["outputs_identical"],
            "peak_rss_mb": {k: (r["peak_rss"].get(k) or {}).get("sum_mb") for k in ("warm", "cold")},
            "met": r["meets_target"],  # (the warm export's: see benchmarks/README.md)
        }
    r = results.get("memory")
    if r and "sizes" in r:
        out["memory"] = {s["meetings"]: _memory_figures(s) for s in r["sizes"]}
    r = results.get("encrypted")
    if r and "encrypted_save" in r:
        out["encrypted"] = {
            "target": r["target"],
            **size_of(r),
            "save_p95_ms": {"encrypted": r["encrypted_save"]["p95_ms"], "plain": r["plain_save"]["p95_ms"],
                            "floor": r["floor_fsync_append_2k"]["p95_ms"]},
            "kdf_ms": r["kdf"]["p50_ms"],
            "paint_ms": {k: v["paint_client_list"]["p50_ms"] for k, v in r["cold_open"].items()},
            "met": r["meets_target_p95_le_2ms"] and r["kdf_within_0_2_to_1_s"],
        }
    r = results.get("followthrough")
    if r and "ratios" in r:
        out["followthrough"] = {**size_of(r), "ratios": r["ratios"]}
    r = results.get("search")
    if r and "queries" in r:
        out["search"] = {
            "target": r["target"],
            **size_of(r),
            "index_build_ms": r["index_build"]["p50_ms"],
            "p95_ms": {name: q["search"]["p95_ms"] for name, q in r["queries"].items()},
            "ratio_to_naive_p50": {name: q["ratio_search_to_naive"]["p50"] for name, q in r["queries"].items()},
            "met": r["meets_target"],
        }
    r = results.get("backups")
    if r and "after" in r:
        out["backups"] = {
            "target": r["target"],
            **size_of(r),
            "days": r["days"],
            "saves_per_day": r["saves_per_day"],
            "folder_to_db_steady_max": r["steady_state_max_ratio"],
            "written_per_journal_byte": {
                "daily_close": {"before": r["before"]["written_per_journal_byte"], "after": r["after"]["written_per_journal_byte"]},
                "long_session": {"before": r["long_session"]["before"]["written_per_journal_byte"],
                                 "after": r["long_session"]["after"]["written_per_journal_byte"]},
            },
            "written_ratio_after_to_before": r["written_ratio_after_to_before"],
            "met": all(r["met"].values()),
        }
    r = results.get("sync")
    if r and "first_sync" in r:
        out["sync"] = _sync_figures(r)
    return out


def _sync_figures(r: dict) -> dict:
    first, change, typed = r["first_sync"], r["one_change"], r["typing"]
    return {
        "target": r["target"],
        **size_of(r),
        "first_sync_ratio_to_bulk_docs": {"push_time": first["ratio_push_time"], "pull_time": first["ratio_pull_time"],
                                          "push_bytes": first["ratio_push_bytes_sent"]},
        "first_sync_met": first["met_1_5x"],
        "one_change_p50_ms": {"push": change["push_one"]["p50_ms"], "pull": change["pull_one"]["p50_ms"]},
        "one_change_met": change["met_under_100ms"],
        "typing_ratio_during_sync": {"p50": typed["ratio_median"], "p95": typed["ratio_p95"]},
    }


def _cold_start_figures(r: dict) -> dict:
    out = {
        "cold_start": {
            "target": r["target"],
            **size_of(r),
            "cope_tui_median_ms": r["cope_tui_to_first_paint"]["p50_ms"],
            "bare_median_ms": r["bare_app_to_first_paint"]["p50_ms"],
            "ratio_median": r["ratio_median"],
            "met": r["meets_target"],
        }
    }
    if "encrypted" in r:
        e = r["encrypted"]
        out["cold_start_encrypted"] = {
            "target": e["target"],
            **size_of(r),
            "median_ms": e["to_first_paint"]["p50_ms"],
            "kdf_median_ms": e["kdf"]["p50_ms"],
            "bare_plus_kdf_ms": e["bare_plus_kdf_ms"],
            "ratio_to_bare_plus_kdf": e["ratio_to_bare_plus_kdf"],
            "met": e["meets_target"],
        }
    return out


def _save_figures(s: dict) -> dict:
    figures = {
        **size_of(s),
        "p50_ms": s["save"]["p50_ms"],
        "p95_ms": s["save"]["p95_ms"],
        "max_ms": s["save"]["max_ms"],
        "p95_ratio_to_floor": s["ratio_save_to_floor"]["p95"],
    }
    if "ratio_save_to_tinydb_default" in s:
        figures["p50_ratio_to_tinydb_default"] = s["ratio_save_to_tinydb_default"]["p50"]
    return figures


def _memory_figures(s: dict) -> dict:
    export = s["peak_rss"]["export_all"]
    return {
        **size_of(s),
        "store_load_all_mb": s["peak_rss"]["store_load_all_read_only"].get("mb"),
        "export_all_mb": export.get("mb"),  # both processes' peaks added up when it forked
        "export_forked": export.get("forked"),
    }


if __name__ == "__main__":
    main()
