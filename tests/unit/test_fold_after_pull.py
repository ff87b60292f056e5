"""The fold of a first team pull into the file: 10,000 meetings arrive in the journal at
once. Parsing them all for a backup segment that cannot follow (no point yet) is work
for nothing; and the lean forms the fold builds are let go as they are written, never
the caller's own tables."""

from __future__ import annotations

import copy

import orjson

from cope_tui.meetings.models import Client
from cope_tui.store import backup_points, backups, format
from cope_tui.store.batch import ANY
from cope_tui.store.record_lines import dump_tables
from cope_tui.store.store import Store


def clients(start: int, count: int = 30) -> list[tuple[str, str, dict, object]]:
    docs = [Client(code=f"C-{n:04d}", note="note " * 30).model_dump(mode="json") for n in range(start, start + count)]
    return [("clients", doc["id"], doc, ANY) for doc in docs]


def test_the_first_point_is_a_full_copy_without_parsing_the_journal(tmp_path, monkeypatch) -> None:
    db = tmp_path / "db.json"
    settled: list[int] = []
    real = backup_points.settle

    def counted(lines: bytes) -> bytes:
        settled.append(len(lines))
        return real(lines)

    monkeypatch.setattr(backup_points, "settle", counted)
    store = Store(db)
    store.write_many(clients(0))
    store.compact()
    kept = [b for b in backups.list_backups(db) if backup_points.is_point(b.path)]
    assert [b.path.name.endswith(backup_points.FULL) for b in kept] == [True]
    assert settled == []  # nothing to follow: the lines were never parsed
    store.write_many(clients(100, count=3))
    store.compact()  # a segment follows the full point: its lines are settled once
    assert len(settled) == 1
    kept = [b for b in backups.list_backups(db) if backup_points.is_point(b.path)]
    assert sorted(b.path.name.endswith(backup_points.SEGMENT) for b in kept) == [False, True]
    store.close()


def _lean_data() -> dict:
    meetings = {}
    for n in range(1, 4):
        mid = f"m{n}"
        meetings[mid] = {"id": mid, "client_id": "c1", "kind": "review", "started": f"2026-01-0{n}T10:00:00",
                         "steps": {"opening": {"notes": f"meeting {n}"}}}
    return {"meta": {"app": {"app": "cope-tui", "schema": format.SCHEMA}}, "clients": {"c1": {"id": "c1", "code": "A"}},
            "meetings": meetings, "exercises": {}}


def test_writing_the_file_leaves_the_callers_tables_as_they_were() -> None:
    data = _lean_data()
    before = copy.deepcopy(data)
    raw = dump_tables(data)
    assert data == before
    assert set(orjson.loads(raw)["meetings"]) == {"1", "2", "3"}  # numbered as TinyDB counts them
    assert dump_tables(data) == raw  # and the same bytes again from the same tables
