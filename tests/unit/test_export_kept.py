"""Issue 14 point 4: `export --all` keeps each client's Markdown beside a plain DB
(NAME.json.export) and renders again only the clients changed since. Every export must
be byte for byte what a fresh one is; a client changed in the file or in the journal is
rendered again, and only that client; a damaged, foreign or lying kept file changes
nothing; erasure, restore and encryption leave no such file behind."""

from __future__ import annotations

import os
from datetime import date

import orjson
import pytest
import zstandard

from cope_tui.content.meeting_guide import load_meeting_guide
from cope_tui.export import documents, kept_export, render
from cope_tui.store import backups, rekey, summary
from cope_tui.store import kept as kept_files
from cope_tui.store.kept import Blob
from cope_tui.store.store import Store
from helpers.demo_files import demo_file

MARKER = "pelicanmarmot"
PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def db(tmp_path):
    return demo_file(tmp_path / "demo.json", clients=6, meetings=40, seed=5)


@pytest.fixture
def rendered(monkeypatch) -> list[str]:
    """The codes of the clients rendered (not taken from the kept file), in order."""
    found: list[str] = []
    real = render.ExportRun.client
    monkeypatch.setattr(
        render.ExportRun, "client", lambda self, client, *a: found.append(client.code) or real(self, client, *a)
    )
    return found


def _export(path) -> bytes:
    """`export --all` as the CLI makes it of a plain DB: a read-only store opened lazily."""
    store = Store(path, read_only=True, lazy=True, let_go_lines=False)
    parts: list[bytes] = []
    assert kept_export.export_all(load_meeting_guide(), store, parts.append)
    store.close()
    return b"".join(parts)


def _fresh(path) -> bytes:
    """What an export of every parsed meeting renders, nothing kept."""
    store = Store(path, read_only=True)
    text = documents.all_markdown(load_meeting_guide(), store).encode()
    store.close()
    return text


def _kept(path) -> dict:
    return kept_files.read(path, "export", kept_export.tag_of(load_meeting_guide()))


def _draft(path, client_code: str | None = None) -> tuple[dict, str]:
    """A draft meeting (finalised ones never change) and its client's code."""
    store = Store(path, read_only=True)
    codes = {d["id"]: d["code"] for d in store.raw("clients")}
    doc = next(d for d in store.raw_meetings() if not d.get("finalised_at") and client_code in (None, codes[d["client_id"]]))
    store.close()
    return doc, codes[doc["client_id"]]


def _with_marker(doc: dict) -> dict:
    steps = {k: dict(v) for k, v in doc["steps"].items()}
    first = next(iter(steps))
    steps[first]["notes"] = f"{steps[first].get('notes') or ''} {MARKER}"
    return {**doc, "steps": steps}


def test_the_next_export_takes_every_client_as_kept_and_is_byte_identical(db, rendered, monkeypatch) -> None:
    from cope_tui.store.lazy_meetings import FileMeetings

    first = _export(db)
    assert len(rendered) == 6 and kept_files.sidecar(db, "export").exists()
    assert first == _fresh(db)
    assert oct(kept_files.sidecar(db, "export").stat().st_mode & 0o777) == "0o600"
    rendered.clear()
    decoded: list[str] = []
    real = FileMeetings.decode
    monkeypatch.setattr(FileMeetings, "decode", lambda self, cid: decoded.append(cid) or real(self, cid))
    assert _export(db) == first
    assert rendered == [] and decoded == []  # no meeting parsed nor rendered: every client as kept


def test_a_meeting_changed_through_the_store_renders_only_its_client_again(db, rendered) -> None:
    _export(db)
    doc, code = _draft(db)
    store = Store(db)
    store.put_meeting_doc(doc["id"], _with_marker(doc))
    store.close()  # folded into the file: that client's lines change
    rendered.clear()
    text = _export(db)
    assert rendered == [code]
    rendered.clear()
    assert _export(db) == text and rendered == []  # and it is kept again
    assert MARKER.encode() in text and text == _fresh(db)


def test_a_meeting_changed_in_the_journal_renders_only_its_client_again(db, rendered) -> None:
    _export(db)
    doc, code = _draft(db)
    app = Store(db, compact_bytes=1 << 40)  # the app, still open: the save is in the journal only
    app.put_meeting_doc(doc["id"], _with_marker(doc))
    try:
        rendered.clear()
        text = _export(db)
        assert rendered == [code]
        rendered.clear()
        assert _export(db) == text and rendered == [code]  # (never kept while only the journal has it)
        assert MARKER.encode() in text and text == _fresh(db)
    finally:
        app.close()


def test_a_client_record_changed_is_rendered_again(db, rendered) -> None:
    _export(db)
    store = Store(db)
    client = next(c for c in store.clients() if c.code == sorted(d["code"] for d in store.raw("clients"))[2])
    client.note = f"moved {MARKER}"
    store.put_client(client)
    store.close()
    rendered.clear()
    text = _export(db)
    assert rendered == [client.code] and MARKER.encode() in text and text == _fresh(db)


def _rewrite_kept(db, change) -> None:
    tag = kept_export.tag_of(load_meeting_guide())
    found = {cid: (digest, change(part)) for cid, (digest, part) in _kept(db).items()}
    kept_files.write(db, "export", tag, found)


def test_a_damaged_foreign_or_lying_kept_file_is_ignored(db) -> None:
    want = _export(db)
    good = kept_files.sidecar(db, "export").read_bytes()
    tag = kept_export.tag_of(load_meeting_guide())
    head = orjson.dumps({"tag": tag})
    shapes = (b'{"tag": "other"}', head + b"\n[1, 2]", head + b'\n["c", "d", [["m", 5], "o"], 3]\nabc\n', head + b'\n["c", "d", 7]')
    junk = [b"", b"\x00garbage", good[: len(good) // 2], good[:-3], *map(zstandard.ZstdCompressor().compress, shapes)]
    for bad in junk:
        kept_files.sidecar(db, "export").write_bytes(bad)
        assert _export(db) == want
    lies = [
        lambda part: Blob(part[0], b"## Client: FORGED\n\n"),  # another text for the same lines: needs another digest
        lambda part: Blob(["0" * 32, part[0][1]], b"FORGED"),  # another client record
        lambda part: Blob([part[0][0], "1999-01-01"], b"FORGED"),  # a text of another day
    ]
    _export(db)
    for index, lie in enumerate(lies):
        if index == 0:  # digests of other lines
            tag = kept_export.tag_of(load_meeting_guide())
            kept_files.write(db, "export", tag, {cid: ("0" * 32, lie(p)) for cid, (_d, p) in _kept(db).items()})
        else:
            _export(db)
            _rewrite_kept(db, lie)
        assert b"FORGED" not in _export(db)
        assert _export(db) == want


def test_another_version_or_meeting_guide_renders_everything(db, rendered, monkeypatch) -> None:
    _export(db)
    monkeypatch.setattr(kept_export, "__version__", "9.9.9")
    rendered.clear()
    _export(db)
    assert len(rendered) == 6


def test_a_text_that_shows_today_is_taken_only_today(db, rendered, monkeypatch) -> None:
    want = _export(db)
    store = Store(db, read_only=True)
    ids = [d["id"] for d in documents.clients_in_order(store)]
    store.close()
    _rewrite_kept(db, lambda part: Blob([part[0][0], "1999-01-01"], part[1]))
    rendered.clear()
    assert _export(db) == want and len(rendered) == len(ids)
    assert all(p[0][1] in ("", date.today().isoformat()) for _d, p in _kept(db).values())


def test_erasure_leaves_no_kept_text_of_the_client(db) -> None:
    doc, _code = _draft(db)
    store = Store(db)
    store.put_meeting_doc(doc["id"], _with_marker(doc))
    store.close()
    reader = Store(db, read_only=True, lazy=True, let_go_lines=False)  # an export that read before the erasure
    reader.wait_ready()
    _export(db)
    assert MARKER.encode() in zstandard.ZstdDecompressor().decompressobj().decompress(kept_files.sidecar(db, "export").read_bytes())
    store = Store(db)
    store.erase_client(doc["client_id"])
    store.close()
    assert not kept_files.sidecar(db, "export").exists()
    parts: list[bytes] = []
    assert kept_export.export_all(load_meeting_guide(), reader, parts.append)  # it writes late
    assert MARKER.encode() in b"".join(parts)  # (what it read)
    assert not kept_files.sidecar(db, "export").exists()  # but keeps nothing: the file is not the one it read
    assert MARKER.encode() not in _export(db)


def test_restore_and_encryption_remove_it_and_an_encrypted_db_keeps_none(db) -> None:
    _export(db)
    backups.restore(db, backups.list_backups(db)[0])
    assert not kept_files.sidecar(db, "export").exists()
    Store(db).close()  # (a restored file is checked and stamped at its next open)
    _export(db)
    summary.forget(db)  # (what set-aside and re-keying call)
    assert not kept_files.sidecar(db, "export").exists()
    Store(db).close()
    _export(db)
    assert kept_files.sidecar(db, "export").exists()
    rekey.convert(db, rekey.ENCRYPT, PASSPHRASE)
    assert not kept_files.sidecar(db, "export").exists()
    store = Store(db, read_only=True, lazy=True, passphrase=PASSPHRASE)
    assert not kept_export.export_all(load_meeting_guide(), store, lambda data: None)  # (all parsed: nothing kept)
    store.keep("export", "t", {"x": ("d", Blob(["v", ""], b"words"))})
    store.close()
    assert not kept_files.sidecar(db, "export").exists()


def _undated(row: dict) -> dict:
    return {c: x for c, x in row.items() if c != "added"}


def test_a_row_shown_as_added_today_keys_its_client_by_the_day(db, rendered) -> None:
    store = Store(db)
    latest = {}
    for d in sorted(store.raw_meetings(), key=lambda m: (m["started"], m["id"])):
        latest[d["client_id"]] = d
    doc = next(d for d in latest.values() if not d.get("finalised_at") and any(s.get("lists") for s in d["steps"].values()))
    # Its rows without the day they were added: the export shows them as added today.
    steps = {
        k: {**v, "lists": {lid: [_undated(row) for row in rows] for lid, rows in (v.get("lists") or {}).items()}}
        for k, v in doc["steps"].items()
    }
    store.put_meeting_doc(doc["id"], {**doc, "steps": steps})
    store.close()
    want = _export(db)
    days = {cid: part[0][1] for cid, (_d, part) in _kept(db).items()}
    assert days[doc["client_id"]] == date.today().isoformat()
    assert sorted(set(days.values())) == ["", date.today().isoformat()]
    _rewrite_kept(db, lambda part: Blob([part[0][0], part[0][1] and "1999-01-01"], part[1]))  # kept on another day
    rendered.clear()
    assert _export(db) == want and len(rendered) == 1


def test_a_kept_file_whose_checksum_fails_is_not_taken(db) -> None:
    """Kept text is emitted as it is: a byte changed inside it (the frame otherwise well
    formed, its checksum that of the text as written) must not reach the export."""
    want = _export(db)
    # Last a part of no client, longer than one read: the rest is read before the end.
    padding = {"no such client": ("", Blob(["v", ""], os.urandom(3 << 20)))}
    kept_files.write(db, "export", kept_export.tag_of(load_meeting_guide()), _kept(db) | padding)
    good = kept_files.sidecar(db, "export").read_bytes()
    plain = zstandard.ZstdDecompressor().decompressobj().decompress(good)
    at = plain.index(b"## Client: ") + 3
    changed = plain[:at] + b"X" + plain[at + 1 :]
    frame = zstandard.ZstdCompressor(level=1, write_checksum=True).compress(changed)
    kept_files.sidecar(db, "export").write_bytes(frame[:-4] + good[-4:])
    assert _export(db) == want


class _Helper:
    """Stands in for the forked helper (export/parallel.py's _Child): it hands over `data`,
    or fails before it is ready."""

    def __init__(self, data: bytes | None):
        self.data, self.abandoned = data, False

    def ready(self) -> bytes | None:
        return None if self.data is None else bytes(32)

    def finish(self, emit) -> None:
        emit(self.data)

    def abandon(self) -> None:
        self.abandoned = True


def _export_with(path, helper: _Helper) -> bytes:
    store = Store(path, read_only=True, lazy=True, let_go_lines=False)
    parts: list[bytes] = []
    assert kept_export.export_all(load_meeting_guide(), store, parts.append, helper)
    store.close()
    return b"".join(parts)


def test_the_first_export_takes_the_helpers_half_and_keeps_both(db, rendered) -> None:
    want = _fresh(db)
    rendered.clear()
    _digest, [data] = kept_export.second_half(db, load_meeting_guide())  # (what the forked helper sends)
    theirs = len(rendered)
    assert 0 < theirs < 6
    rendered.clear()
    assert _export_with(db, _Helper(data)) == want
    assert len(rendered) == 6 - theirs  # the parent rendered only its own half
    rendered.clear()
    assert _export(db) == want and rendered == []  # and kept every client


def test_a_helper_that_failed_or_sent_other_lines_is_not_believed(db, rendered) -> None:
    want = _fresh(db)
    assert _export_with(db, _Helper(None)) == want
    kept_files.sidecar(db, "export").unlink()
    _digest, [data] = kept_export.second_half(db, load_meeting_guide())
    tag = kept_export.tag_of(load_meeting_guide())
    walked = list(kept_files.Walk(None, tag, "", data))
    forged = {cid: ("0" * 32, Blob(part[0], b"FORGED")) for cid, _d, part in walked}
    rendered.clear()
    assert _export_with(db, _Helper(kept_files.encode(tag, forged))) == want
    assert len(rendered) == 6
    for cut in (data[: len(data) // 2], data.replace(b'{"end"', b'{"End"')):  # cut short, no end
        kept_files.sidecar(db, "export").unlink()
        rendered.clear()
        assert _export_with(db, _Helper(cut)) == want and len(rendered) == 6


def test_the_exports_store_keeps_the_file_whole_and_digests_only_when_asked(db) -> None:
    """No packing thread competes with the export (it took 75 ms of a 0.45 s export);
    the digests it asks for are those the app's packing thread takes."""
    import threading

    before = set(threading.enumerate())
    store = Store(db, read_only=True, lazy=True, let_go_lines=False)
    file = store.file_meetings()
    assert file is not None and file.raw and not file.digested.is_set()
    assert not any(t.name == "cope-pack" for t in set(threading.enumerate()) - before)
    file.wait_digests()
    app = Store(db, read_only=True, lazy=True)
    packed = app.file_meetings()
    assert packed is not None
    packed.wait_digests()
    assert file.digests == packed.digests and len(file.digests) == 6
    store.close()
    app.close()
