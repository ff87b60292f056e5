"""`export --all` through the CLI keeps each client's Markdown beside a plain DB
(NAME.json.export): the next export is byte for byte the one-process export, the file is
the owner's alone, erasure leaves no word of the client in the data folder, and an
encrypted DB gets no such file (issue 14, points 4 and 6)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import zstandard

from cope_tui.store.store import Store
from helpers.cli import CLI, CLI_TIMEOUT
from helpers.erasure import holding_anywhere
from helpers.export_db import demo_db_with_orphan, one_process_export

MARK = "KESTREL-MARKER-4471"
PASSPHRASE = "correct horse battery staple"


def _db_with_marker(tmp_path: Path) -> tuple[Path, str]:
    """The demo DB (with a meeting whose client record is gone), a draft holding MARK."""
    db = demo_db_with_orphan(tmp_path / "data" / "cope.json")
    store = Store(db)
    codes = {d["id"]: d["code"] for d in store.raw("clients")}
    doc = next(d for d in store.raw_meetings() if not d.get("finalised_at") and d["client_id"] in codes)
    steps = {k: dict(v) for k, v in doc["steps"].items()}
    steps[next(iter(steps))]["notes"] = f"said {MARK}"
    store.put_meeting_doc(doc["id"], {**doc, "steps": steps})
    store.close()
    return db, codes[doc["client_id"]]


def _export(db: Path, env: dict[str, str], *more: str) -> bytes:
    done = subprocess.run(
        [*CLI, "export", "--all", "--db", str(db), *more],
        env=env, capture_output=True, stdin=subprocess.DEVNULL, timeout=CLI_TIMEOUT,
    )
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


def test_the_second_export_is_the_one_process_export_byte_for_byte(cli_env, tmp_path) -> None:
    db, _code = _db_with_marker(tmp_path)
    kept = db.with_name(db.name + ".export")
    expected = one_process_export(db)
    assert _export(db, cli_env) == expected
    assert kept.exists() and (kept.stat().st_mode & 0o777) == 0o600
    assert MARK.encode() in zstandard.ZstdDecompressor().decompressobj().decompress(kept.read_bytes())
    assert _export(db, cli_env) == expected
    out = tmp_path / "all.md"
    _export(db, cli_env, "-o", str(out))
    assert out.read_bytes() == expected


def test_erase_leaves_no_word_of_the_client_in_the_kept_export(cli, cli_env, tmp_path) -> None:
    db, code = _db_with_marker(tmp_path)
    _export(db, cli_env)
    assert MARK.encode() in zstandard.ZstdDecompressor().decompressobj().decompress(db.with_name(db.name + ".export").read_bytes())
    done = cli("erase", code, "--db", db, "--yes")
    assert done.returncode == 0, done.stderr
    assert holding_anywhere([db.parent, Path(cli_env["XDG_STATE_HOME"])], MARK) == []
    after = _export(db, cli_env)  # kept again, without them
    assert MARK.encode() not in after and after == one_process_export(db)
    assert holding_anywhere([db.parent, Path(cli_env["XDG_STATE_HOME"])], MARK) == []


def test_an_encrypted_db_gets_no_kept_export(cli, cli_env, tmp_path) -> None:
    db, _code = _db_with_marker(tmp_path)
    _export(db, cli_env)
    env = {**cli_env, "COPE_TUI_PASSPHRASE": PASSPHRASE}
    done = subprocess.run(
        [*CLI, "encrypt", "--db", str(db)], env=env, capture_output=True, stdin=subprocess.DEVNULL, timeout=CLI_TIMEOUT
    )
    assert done.returncode == 0, done.stderr.decode()
    assert not db.with_name(db.name + ".export").exists()
    assert MARK.encode() in _export(db, env)
    assert not db.with_name(db.name + ".export").exists()
