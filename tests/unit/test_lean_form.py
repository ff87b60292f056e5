"""Issue 14 point 1: the main file keeps meetings lean (defaults left out, carried rows by
reference) and gives back exactly the records it was handed."""

from __future__ import annotations

import copy

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cope_tui.content.meeting_guide import load_meeting_guide
from cope_tui.demo.writer import write_demo
from cope_tui.store import file_form, record_check
from cope_tui.store.errors import CorruptDatabase
from cope_tui.store.record_lines import MeetingLines, dump_tables
from cope_tui.store.store import Store


def _exact(value) -> bytes:
    """Equal in every stored byte (1 and true, or 1 and 1.0, are not)."""
    return orjson.dumps(value)


def _demo(tmp_path, clients: int = 12, meetings: int = 120) -> tuple[Store, dict]:
    store = Store(tmp_path / "demo.json")
    write_demo(store, load_meeting_guide(), clients=clients, meetings=meetings, seed=5)
    return store, {doc["id"]: doc for doc in store.raw_meetings()}


def test_demo_meetings_read_back_exactly_and_take_under_half_the_bytes(tmp_path) -> None:
    store, meetings = _demo(tmp_path)
    store.close()
    raw = (tmp_path / "demo.json").read_bytes()
    lines = MeetingLines.index(raw)
    assert lines is not None  # still one meeting per line
    lean_bytes = sum(stop - start for *_, start, stop in lines.spans)
    whole_bytes = sum(len(orjson.dumps(doc)) for doc in meetings.values())
    assert lean_bytes <= 0.55 * whole_bytes
    reread = Store(tmp_path / "demo.json", read_only=True)
    assert _exact({doc["id"]: doc for doc in reread.raw_meetings()}) == _exact(meetings)


def test_rows_stop_spelling_out_their_defaults(tmp_path) -> None:
    store, _ = _demo(tmp_path, clients=4, meetings=20)
    store.close()
    meetings_part = (tmp_path / "demo.json").read_bytes().split(b'"meetings":{', 1)[1]
    assert b'"item":null' not in meetings_part
    assert b'"state":"done"' not in meetings_part
    assert b'"addenda":[]' not in meetings_part


def test_a_deleted_meeting_leaves_no_reference_behind(tmp_path) -> None:
    store, meetings = _demo(tmp_path, clients=3, meetings=24)
    by_client: dict[str, list] = {}
    for doc in sorted(meetings.values(), key=lambda d: d["started"]):
        by_client.setdefault(doc["client_id"], []).append(doc)
    carried_from = max(by_client.values(), key=len)[0]  # a client's first meeting: later ones carry its rows
    store.delete("meetings", carried_from["id"])
    store.close()
    del meetings[carried_from["id"]]
    reread = Store(tmp_path / "demo.json", read_only=True)
    assert _exact({doc["id"]: doc for doc in reread.raw_meetings()}) == _exact(meetings)


def _row(row_id: str, values: dict, origin: str | None, item=None, added="2025-01-01") -> dict:
    return {"id": row_id, "item": item, "values": values, "added": added, "origin": origin}


def _meeting(mid: str, started: str, lists: dict, *, client: str = "c1") -> dict:
    step = {"state": "done", "notes": "n", "fields": {}, "lists": lists}
    return {
        "id": mid, "client_id": client, "kind": "review", "mode": "in person", "present": [],
        "started": started, "active_seconds": 0, "current_step": "", "steps": {"s": step},
        "finalised_at": None, "finalised_by": None, "content_hash": None, "addenda": [], "stage": None,
        "created_by": None,
    }  # fmt: skip


cells = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=False, width=32), st.text(max_size=4),
    st.lists(st.integers(0, 2), max_size=2),
)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(
    first=st.lists(st.dictionaries(st.sampled_from("abc"), cells, max_size=3), min_size=1, max_size=4),
    later=st.lists(st.tuples(st.integers(0, 5), st.dictionaries(st.sampled_from("abcd"), cells, max_size=3)), max_size=6),
    origin_none=st.booleans(),
)
def test_any_carried_change_reads_back_exactly(first, later, origin_none) -> None:
    """Rows carried on unchanged, with cells changed (true for 1, 1.0 for 1), removed,
    reordered or new: the lean form gives back every byte."""
    rows = [_row(f"r{n}", values, None if origin_none else "m1", added="2025-01-02") for n, values in enumerate(first)]
    m1 = _meeting("m1", "2025-01-02T10:00:00", {"l": rows})
    carried = []
    for pick, values in later:
        if pick < len(rows):
            carried.append(dict(copy.deepcopy(rows[pick]), values=values or rows[pick]["values"]))
        else:
            carried.append(_row(f"n{pick}", values, "m2", added="2025-02-03"))
    m2 = _meeting("m2", "2025-02-03T10:00:00", {"l": carried, "k": []})
    data = {"meta": {"app": {"app": "cope-tui", "schema": 2}}, "meetings": {"m2": m2, "m1": m1}}
    back = orjson.loads(dump_tables(data))
    record_check.identify(back)
    assert _exact(back["meetings"]) == _exact(data["meetings"])


def test_a_record_in_another_shape_is_kept_as_it_was() -> None:
    odd = {"id": "m1", "client_id": "c1", "kind": "first", "steps": {"s": {"notes": "x"}}, "extra": [1]}
    data = {"meta": {"app": {"app": "cope-tui", "schema": 2}}, "meetings": {"m1": odd}}
    back = orjson.loads(dump_tables(data))
    record_check.identify(back)
    assert _exact(back["meetings"]) == _exact(data["meetings"])


def test_a_reference_to_no_row_is_named_and_the_file_left_as_it_was(tmp_path) -> None:
    store, _ = _demo(tmp_path, clients=2, meetings=10)
    store.close()
    db = tmp_path / "demo.json"
    raw = db.read_bytes()
    # A list that starts with "the first N rows of the last list here": point past its end.
    at = raw.index(b'"lists":[[2')
    damaged = raw[: at + 10] + b"99" + raw[at + 11 :]
    db.write_bytes(damaged)
    with pytest.raises(CorruptDatabase, match="carries a row that no earlier meeting"):
        Store(db)
    assert db.read_bytes() == damaged
    with pytest.raises(CorruptDatabase, match="carries a row"):
        Store(db, read_only=True, choose_meetings=lambda clients, sizes, total: None)


def test_the_file_form_is_defined_for_format_2() -> None:
    assert file_form.LEAN_SCHEMA == 2


def test_meetings_with_no_steps_between_two_with_the_same_steps_read_back() -> None:
    rows = [_row("r1", {"a": 1}, "m1", added="2025-01-02")]
    m1 = _meeting("m1", "2025-01-02T10:00:00", {"l": rows})
    empty = [dict(_meeting(f"e{n}", f"2025-01-03T1{n}:00:00", {}), steps={}) for n in range(2)]
    m3 = _meeting("m3", "2025-01-04T10:00:00", {"l": [dict(rows[0], values={"a": True})]})
    m4 = _meeting("m4", "2025-01-05T10:00:00", {"l": [dict(rows[0], values={"a": True})]})
    other = _meeting("m5", "2025-01-04T10:00:00", {"l": []}, client="c2")
    order = (m4, m3, other, *empty, m1)
    data = {"meta": {"app": {"app": "cope-tui", "schema": 2}}, "meetings": {m["id"]: m for m in order}}
    raw = dump_tables(data)
    assert b'"steps":[]' in raw and b'"steps":[{' in raw  # step names not spelt again
    back = orjson.loads(raw)
    record_check.identify(back)
    assert _exact(back["meetings"]) == _exact(data["meetings"])


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2, 40) | st.text(max_size=3) | st.sampled_from(["^", "=", "~values", "r0", "s"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["id", "^", "=", "r0", "a", "~values"]), inner, max_size=3),
    max_leaves=8,
)  # fmt: skip


def _paths(value, at=()):
    yield at
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _paths(inner, (*at, key))
    elif isinstance(value, list):
        for n, inner in enumerate(value):
            yield from _paths(inner, (*at, n))


@settings(max_examples=80, deadline=None)
@given(pick=st.integers(0, 10_000), replacement=json_values)
def test_a_hostile_lean_file_is_named_as_damage_or_read_never_crashes(pick, replacement) -> None:
    """Any part of a lean file replaced by any JSON: reading it either names the damage
    (the store's message) or gives records for the record check, never another error."""
    rows = [_row("r0", {"a": 1, "b": "x"}, "m1", added="2025-01-02"), _row("r1", {"a": 2, "b": None}, "m1", added="2025-01-02")]
    m1 = _meeting("m1", "2025-01-02T10:00:00", {"l": rows, "k": [dict(rows[0], id="r2")]})
    m2 = _meeting("m2", "2025-02-03T10:00:00", {"l": [dict(rows[0], values={"a": 3, "b": "x"}), rows[1]], "k": []})
    data = {"meta": {"app": {"app": "cope-tui", "schema": 2}}, "meetings": {"m1": m1, "m2": m2}}
    lean = orjson.loads(dump_tables(data))
    paths = list(_paths(lean["meetings"]))
    path = paths[pick % len(paths)]
    if not path:
        return
    target = lean["meetings"]
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = replacement
    form = record_check.identify(lean)  # FormDamaged becomes the form's problem
    if not form.problem:
        list(record_check.table_problems(lean, ("meetings",)))


row_shapes = st.sampled_from(["whole", "no origin", "extra key", "values not a dict", "not a row"])


@settings(max_examples=80, deadline=None)
@given(
    plan=st.lists(
        st.lists(st.tuples(st.sampled_from(["r0", "r1", "r2"]), row_shapes, st.sampled_from([None, 1, True, "x"])), max_size=4),
        min_size=1, max_size=4,
    ),
    list_names=st.lists(st.sampled_from(["l", "k"]), min_size=1, max_size=2, unique=True),
)  # fmt: skip
def test_rows_of_any_shape_with_shared_ids_read_back_exactly(plan, list_names) -> None:
    """Rows kept verbatim (another shape) beside whole rows of the same ids, in several
    meetings and lists: every meeting reads back exactly."""
    meetings = {}
    for n, rows_plan in enumerate(plan):
        mid = f"m{n}"
        rows = []
        for row_id, shape, cell in rows_plan:
            row = _row(row_id, {"a": cell}, "m0", added="2025-01-01")
            if shape == "no origin":
                del row["origin"]
            elif shape == "extra key":
                row["later"] = cell
            elif shape == "values not a dict":
                row["values"] = [cell]
            elif shape == "not a row":
                row = cell
            rows.append(row)
        lists = {name: list(rows) for name in list_names}
        meetings[mid] = _meeting(mid, f"2025-01-0{n + 1}T10:00:00", lists)
    data = {"meta": {"app": {"app": "cope-tui", "schema": 2}}, "meetings": meetings}
    back = orjson.loads(dump_tables(data))
    assert not record_check.identify(back).problem
    assert _exact(back["meetings"]) == _exact(data["meetings"])


def test_the_lean_form_knows_every_field_of_a_meeting_and_of_a_row():
    """A field added to a model but not here makes every meeting fall back to the verbatim
    (full) form without a word: the file silently doubles. Keep the two lists the same."""
    from cope_tui.meetings.models import Meeting, Row, StepRecord
    from cope_tui.store import file_form

    assert file_form.MEETING_KEYS == tuple(Meeting.model_fields)
    assert file_form.STEP_KEYS == tuple(StepRecord.model_fields)
    assert file_form.ROW_KEYS == tuple(Row.model_fields)


def test_meetings_a_sync_brought_with_their_keys_sorted_are_kept_lean_too(tmp_path) -> None:
    """A team member's records arrive in their canonical form, keys sorted. Kept verbatim,
    a synced DB's file was twice the size of the sender's and every meeting in it was read
    whole; they are the same meetings, and read back equal (in the models' order)."""
    store, meetings = _demo(tmp_path)
    store.close()
    synced = {mid: orjson.loads(orjson.dumps(doc, option=orjson.OPT_SORT_KEYS)) for mid, doc in meetings.items()}
    assert all(list(doc) != list(meetings[mid]) for mid, doc in synced.items())  # the order differs
    other = Store(tmp_path / "synced.json")
    other.write_many([("meetings", mid, doc, None) for mid, doc in synced.items()])
    other.close()
    mine, theirs = (tmp_path / "demo.json").read_bytes(), (tmp_path / "synced.json").read_bytes()
    spans = MeetingLines.index(theirs)
    assert spans is not None
    assert sum(stop - start for *_, start, stop in spans.spans) <= 1.05 * sum(
        stop - start for *_, start, stop in MeetingLines.index(mine).spans
    )
    reread = {doc["id"]: doc for doc in Store(tmp_path / "synced.json", read_only=True).raw_meetings()}
    assert reread == meetings
    assert all(tuple(doc) == file_form.MEETING_KEYS for doc in reread.values())  # the models' order again
