"""Issue 14 point 1: a file written by the cope-tui before the lean form (the schema-1
fixture in tests/data/schema1) is upgraded after a kept copy, and nothing is lost: every
export is byte-identical, every finalised meeting still verifies, doctor finds it healthy."""

from __future__ import annotations

import shutil

import orjson

from cope_tui.store.store import Store
from helpers.every_export import FIXTURE, cli_export_all, every_export, pinned_day  # noqa: F401  (fixture)


def _copy_fixture(tmp_path):
    tmp_path.mkdir(parents=True, exist_ok=True)
    for name in ("cope.json", "cope.json.audit"):
        shutil.copy(FIXTURE / name, tmp_path / name)
    return tmp_path / "cope.json"


def _upgraded(tmp_path):
    db = _copy_fixture(tmp_path)
    store = Store(db)
    assert store.migrated_from == 1
    store.close()
    return db


def test_every_export_is_byte_identical_after_the_upgrade(tmp_path, cli_env, pinned_day) -> None:
    db = _upgraded(tmp_path / "upgraded")
    assert orjson.loads(db.read_bytes())["meta"]["app"]["schema"] == 2
    expected = {p.name: p.read_bytes() for p in (FIXTURE / "exports").iterdir()}
    found = every_export(db, cli_env)
    # The CLI renders today: against the same command on the file before the upgrade, now.
    assert found["all.md"] == cli_export_all(_copy_fixture(tmp_path / "before"), cli_env)
    found["all.md"] = found.pop("all-in-process.md")  # rendered here, on the fixture's day
    assert sorted(found) == sorted(expected)
    assert [name for name in expected if found[name] != expected[name]] == []


def test_the_upgrade_keeps_the_old_file_and_shrinks_the_new_one(tmp_path) -> None:
    db = _upgraded(tmp_path)
    (kept,) = (tmp_path / "cope.json.backups").glob("*before-upgrade-from-1.json")
    assert kept.read_bytes() == (FIXTURE / "cope.json").read_bytes()
    assert db.stat().st_size < 0.7 * kept.stat().st_size


def test_finalised_meetings_verify_and_doctor_is_healthy_after_the_upgrade(tmp_path, cli) -> None:
    db = _upgraded(tmp_path)
    done = cli("doctor", "--db", db)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "29 finalised meetings match their hashes and the audit log" in done.stdout
    assert "format 2 (current)" in done.stdout
    assert "Healthy." in done.stdout


def test_a_viewer_reads_the_old_file_without_changing_it(tmp_path, cli_env) -> None:
    db = _copy_fixture(tmp_path)
    before = db.read_bytes()
    store = Store(db, read_only=True)
    assert len(store.raw_meetings()) == 30
    store.close()
    assert db.read_bytes() == before
