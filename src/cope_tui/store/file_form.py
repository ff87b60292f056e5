"""The records as the main file keeps them (format 2), and back: lean, and readable by TinyDB.

The store holds every record whole in memory, as the app dumps it; only the main file
(and so its backups) keeps this form, written at each compaction from the whole records
and read back into them exactly, so nothing above the store ever sees it:

- **Numbered documents.** Each table is `{"1": record, "2": record, ...}`, the record's
  own id inside it: TinyDB's documents have integer ids, so plain TinyDB with its default
  settings opens and queries the file. (The numbers are given afresh at each compaction;
  the id inside a record is what names it.) `meta` keeps its one record under "app".
- **Defaults left out.** A row drops `item` when null, `added` when it is the day of its
  meeting and `origin` when it is its own meeting; a step drops an empty state, notes,
  fields or lists. Reading puts each back, in the models' order.
- **Carried rows by reference.** A row that an earlier meeting of the same client already
  holds (the same row id, the nearest earlier meeting by start) is kept as `{"id": ID,
  "^": 1}` plus only what changed: whole fields that differ, and `"~values"`, the cells
  that changed, when no cell was removed or moved. Every compaction encodes again from the
  whole records, so a deleted meeting never leaves a dangling reference behind, and what
  a finalised meeting showed is rebuilt exactly (its hash is checked on that: signing.py).

Anything not in exactly the shape the models dump (an older or hand-made record) is kept
verbatim under `{"=": ...}`, so reading gives back exactly what was there.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import zip_longest
from typing import Any

import orjson

LEAN_SCHEMA = 2  # the first format version in this form

MEETING_KEYS = (
    "id", "client_id", "kind", "mode", "present", "started", "active_seconds", "current_step",
    "steps", "finalised_at", "finalised_by", "content_hash", "addenda", "stage", "created_by",
)  # fmt: skip  (the Meeting model's fields in its order: a test keeps them the same)
_MEETING_DEFAULTS: dict[str, Any] = {
    "present": [], "active_seconds": 0, "current_step": "", "finalised_at": None,
    "finalised_by": None, "content_hash": None, "addenda": [], "stage": None, "created_by": None,
}  # fmt: skip
# Reading: each meeting field and the default it takes when left out; the mutable defaults
# are given afresh for each meeting.
_MEETING_FILL = tuple((key, _MEETING_DEFAULTS.get(key)) for key in MEETING_KEYS)
_MEETING_FRESH = tuple(key for key, default in _MEETING_DEFAULTS.items() if isinstance(default, list))
ROW_KEYS = ("id", "item", "values", "added", "origin")
STEP_KEYS = ("state", "notes", "fields", "lists")
_STEP_DEFAULTS = {"state": "done", "notes": "", "fields": {}, "lists": {}}
REF = "^"  # a carried row: the rest of it is the earlier row's
CELLS = "~values"  # the cells of a carried row that changed
VERBATIM = "="
_RESERVED = ("id", REF, VERBATIM)


class FormDamaged(ValueError):
    """The file's lean form cannot be read back (a reference to no row); names no value."""


def numbered(table: dict[str, Any]) -> dict[str, Any]:
    """A table keyed by document numbers, as TinyDB counts them."""
    return {str(n): doc for n, doc in enumerate(table.values(), 1)}


def by_id(table: dict[str, Any]) -> dict[str, Any]:
    """A numbered table keyed back by the ids inside its records. A record with no id of
    text, or one whose id came before, stays under its number marked `#N`, so the
    record check names it (its id is not the one it is stored under)."""
    out: dict[str, Any] = {}
    for number, doc in table.items():
        key = doc.get("id") if isinstance(doc, dict) else None
        if not isinstance(key, str) or key in out or key.startswith("#"):
            key = f"#{number}"
        out[key] = doc
    return out


def _order(doc: Any) -> tuple[str, str]:
    if not isinstance(doc, dict):
        return "", ""
    return str(doc.get("started", "")), str(doc.get("id", ""))


def by_client(meetings: Iterable[Any]) -> dict[str, list[dict[str, Any]]]:
    """Each client's meetings in the order references point back along."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for doc in meetings:
        if isinstance(doc, dict):
            groups.setdefault(str(doc.get("client_id", "")), []).append(doc)
    for docs in groups.values():
        docs.sort(key=_order)
    return groups


# Writing


def lean_meetings(meetings: dict[str, Any]) -> dict[str, Any]:
    """Each meeting's lean form, by meeting id, in the table's own order."""
    lean: dict[str, Any] = {}
    for docs in by_client(meetings.values()).values():
        seen: dict[str, dict[str, Any]] = {}
        for doc in docs:
            lean[id(doc)] = _lean_meeting(doc, seen)
    return {key: lean.get(id(doc), doc) for key, doc in meetings.items()}


def _with_defaults(doc: dict[str, Any]) -> dict[str, Any]:
    """A meeting with the model's fields in the model's order. One written before a field
    existed (created_by, say) lacks that key, and takes its default; one a team member's
    sync brought has its keys sorted (the canonical form its hash is taken of). Either is
    the same meeting, and is stored lean like the others: kept verbatim, a synced DB's
    file was twice the size, and every meeting in it was read whole."""
    if tuple(doc) == MEETING_KEYS or not set(doc) <= set(MEETING_KEYS):
        return doc
    if not set(MEETING_KEYS) - set(doc) <= set(_MEETING_DEFAULTS):
        return doc
    return {k: doc[k] if k in doc else _fresh(_MEETING_DEFAULTS[k]) for k in MEETING_KEYS}


def _in_order(part: Any, keys: tuple[str, ...]) -> Any:
    """A step or a row with its keys in the model's order when they are the model's keys
    in another order (sorted, as synced); anything else as it is."""
    if isinstance(part, dict) and tuple(part) != keys and len(part) == len(keys) and set(part) == set(keys):
        return {k: part[k] for k in keys}
    return part


def _lean_meeting(doc: dict[str, Any], seen: dict[Any, Any]) -> dict[str, Any]:
    doc = _with_defaults(doc)
    if tuple(doc) != MEETING_KEYS or not isinstance(doc["steps"], dict) or not isinstance(doc["id"], str):
        return {**doc, VERBATIM: 1}
    day, own = _day(doc), doc["id"]
    out = {k: v for k, v in doc.items() if k not in _MEETING_DEFAULTS or not _is_default(v, _MEETING_DEFAULTS[k])}
    steps = {name: _lean_step(name, step, day, own, seen) for name, step in doc["steps"].items()}
    out["steps"] = _keyed(steps, ("keys", "steps"), seen)
    return out


def _lean_step(name: str, step: Any, day: str, own: Any, seen: dict[Any, Any]) -> Any:
    step = _in_order(step, STEP_KEYS)
    if (
        not isinstance(step, dict)
        or tuple(step) != STEP_KEYS
        or not isinstance(step["lists"], dict)
        or not isinstance(step["fields"], dict)
    ):
        return {VERBATIM: step}
    lean = {k: v for k, v in step.items() if not _is_default(v, _STEP_DEFAULTS[k])}
    if "lists" in lean:
        lean["lists"] = {
            list_id: _lean_rows((name, list_id), rows, day, own, seen) if isinstance(rows, list) else {VERBATIM: rows}
            for list_id, rows in step["lists"].items()
        }
    for part in ("fields", "lists"):
        if part in lean:
            lean[part] = _keyed(lean[part], ("keys", part, name), seen)
    return lean


def _keyed(found: dict[str, Any], place: tuple[str, ...], seen: dict[Any, Any]) -> Any:
    """The fields (or lists) of a step as an array of their values when their names are
    those the step had the last time they were written out whole."""
    if seen.get(place) == tuple(found):
        return list(found.values())
    seen[place] = tuple(found)
    return found


def _is_default(value: Any, default: Any) -> bool:
    """The defaults are scalars and empty containers: equal and of the same type is same."""
    return value == default and type(value) is type(default)


def _same(a: Any, b: Any) -> bool:
    """Equal as stored: 1 and true, or 1 and 1.0, are equal in Python but not in JSON."""
    return a is b or (a == b and orjson.dumps(a) == orjson.dumps(b))


def _lean_rows(where: tuple[str, str], rows: list[Any], day: str, own: Any, seen: dict[Any, Any]) -> list[Any]:
    """A list whose first rows are, unchanged, the first rows of the list last kept at
    this place starts with how many they are."""
    rows = [_in_order(row, ROW_KEYS) for row in rows]
    before = seen.get(("rows", *where)) or []
    same = 0
    for old, row in zip(before, rows):
        if not (type(row) is dict and tuple(row) == ROW_KEYS and _same(old, row)):
            break
        same += 1
    seen[("rows", *where)] = rows
    for row in rows[:same]:
        seen[row["id"]] = row
    lean: list[Any] = [same] if same else []
    lean += [_lean_row(where, row, day, own, seen) for row in rows[same:]]
    return lean


def _lean_row(where: tuple[str, str], row: Any, day: str, own: Any, seen: dict[Any, Any]) -> Any:
    if not isinstance(row, dict) or tuple(row) != ROW_KEYS or not isinstance(row["id"], str):
        return {VERBATIM: row}
    base = seen.get(row["id"])
    seen[row["id"]] = row
    if base is not None:
        return _carried(row, base)
    values, item = row["values"], row["item"]
    if type(values) is dict and row["added"] == day and seen.get(("cols", *where)) == tuple(values):
        if item is None and row["origin"] == own and own is not None:
            return _cells([row["id"]], values)
        if type(item) is str and row["origin"] is None:
            return _cells([[row["id"], item]], values)
    if isinstance(values, dict):
        seen[("cols", *where)] = tuple(values)
    lean = {"id": row["id"]}
    if item is not None:
        lean["item"] = item
    lean["values"] = values
    if row["added"] != day:
        lean["added"] = row["added"]
    if row["origin"] != own or own is None:
        lean["origin"] = row["origin"]
    return lean


def _cells(head: list[Any], values: dict[str, Any]) -> list[Any]:
    """A new row as an array: its id (or [id, checklist item]), then its cells in the
    order of the last row written out whole at this place, trailing empty cells left off."""
    cells = list(values.values())
    while cells and cells[-1] is None:
        cells.pop()
    return head + cells


def _carried(row: dict[str, Any], base: dict[str, Any]) -> Any:
    lean: dict[str, Any] = {"id": row["id"], REF: 1}
    for key in ROW_KEYS[1:]:
        if _same(row[key], base[key]):
            continue
        changed = _cells_changed(base[key], row[key]) if key == "values" else None
        if changed is not None:
            lean[CELLS] = changed
        else:
            lean[key] = row[key]
    if len(lean) == 2:
        return row["id"]
    if len(lean) == 3 and CELLS in lean and row["id"] not in _RESERVED:
        return {row["id"]: lean[CELLS]}  # the commonest change: a cell or two
    return lean


def _cells_changed(base: Any, now: Any) -> dict[str, Any] | None:
    """The cells to lay over `base` to get `now`, or None when that cannot give it exactly
    (a cell removed, or the cells in another order)."""
    if not isinstance(base, dict) or not isinstance(now, dict):
        return None
    changed = {k: v for k, v in now.items() if k not in base or not _same(base[k], v)}
    rebuilt = {**base, **changed}
    if list(rebuilt) != list(now):
        return None
    return changed


def _day(doc: dict[str, Any]) -> str:
    started = doc.get("started")
    return started[:10] if isinstance(started, str) else ""


# Reading


def whole_meetings(meetings: dict[str, Any]) -> None:
    """Put back every meeting of `meetings` (by id, in place) whole; FormDamaged when a
    carried row points at nothing."""
    keys = {id(doc): key for key, doc in meetings.items()}
    for docs in by_client(meetings.values()).values():
        seen: dict[str, dict[str, Any]] = {}
        for doc in docs:
            whole = _whole_meeting(doc, seen)
            if whole is not doc:
                meetings[keys[id(doc)]] = whole


def _whole_meeting(doc: dict[str, Any], seen: dict[Any, Any]) -> dict[str, Any]:
    if VERBATIM in doc:
        return {k: v for k, v in doc.items() if k != VERBATIM}
    steps, own = doc.get("steps"), doc.get("id")
    if not isinstance(steps, (dict, list)) or not isinstance(own, str):
        return doc  # the record check names it
    steps = _unkeyed(steps, ("keys", "steps"), seen, doc)
    day = _day(doc)
    get = doc.get
    out = {k: get(k, default) for k, default in _MEETING_FILL}
    for key in _MEETING_FRESH:  # an empty list of its own, never one shared by records
        if key not in doc:
            out[key] = []
    out["steps"] = {name: _whole_step(name, step, day, own, seen, doc) for name, step in steps.items()}
    return out


def _whole_step(name: str, step: Any, day: str, own: str, seen: dict[Any, Any], doc: dict[str, Any]) -> Any:
    if not isinstance(step, dict):
        return step  # not a step: the record check names it
    if VERBATIM in step:
        return step[VERBATIM]
    fields = _unkeyed(step["fields"], ("keys", "fields", name), seen, doc) if "fields" in step else {}
    lists = _unkeyed(step["lists"], ("keys", "lists", name), seen, doc) if "lists" in step else {}
    if isinstance(lists, dict) and lists:
        lists = {list_id: _whole_rows((name, list_id), rows, day, own, seen, doc) for list_id, rows in lists.items()}
    # In STEP_KEYS' order, each default of its own (a test holds the two together).
    return {"state": step.get("state", "done"), "notes": step.get("notes", ""), "fields": fields, "lists": lists}


def _unkeyed(found: Any, place: tuple[str, ...], seen: dict[Any, Any], doc: dict[str, Any]) -> Any:
    if type(found) is dict:
        seen[place] = tuple(found)
    elif type(found) is list:
        names = seen.get(place)
        if names is None or len(names) != len(found):
            raise FormDamaged(f"meeting {doc['id'][:40]!r} has a step whose parts name nothing")
        found = dict(zip(names, found))
    return found


def _whole_rows(where: tuple[str, str], rows: Any, day: str, own: str, seen: dict[Any, Any], doc: dict[str, Any]) -> Any:
    if type(rows) is not list:
        return rows[VERBATIM] if isinstance(rows, dict) and VERBATIM in rows else rows
    out: list[Any] = []
    if rows and type(rows[0]) is int:
        before = seen.get(("rows", *where)) or []
        if not 0 < rows[0] <= len(before):
            raise _dangling(doc)
        out += before[: rows[0]]
        for row in out:
            if type(row) is dict and type(row.get("id")) is str:
                seen[row["id"]] = row
        rows = rows[1:]
    seen[("rows", *where)] = out
    cols_key = ("cols", *where)
    columns = seen.get(cols_key)
    for row in rows:
        kind = type(row)
        if kind is str:  # carried as it was
            whole = seen.get(row)
            if whole is None:
                raise _dangling(doc)
        elif kind is list:  # new, its cells in the order of the last whole row here
            whole = _from_cells(columns, row, day, own, doc)
        elif kind is dict and VERBATIM in row:  # as it was, and never a row to carry
            out.append(row[VERBATIM])
            continue
        else:
            whole = _whole_row(where, row, day, own, seen, doc)
            columns = seen.get(cols_key)  # a row written out whole names the columns anew
            if type(whole) is not dict or type(whole.get("id")) is not str:
                out.append(whole)
                continue
        seen[whole["id"]] = whole
        out.append(whole)
    return out


def _from_cells(columns: tuple[str, ...] | None, row: list[Any], day: str, own: str, doc: dict[str, Any]) -> dict[str, Any]:
    head = row[0] if row else None
    if type(head) is str:
        row_id, item, origin = head, None, own
    elif type(head) is list and len(head) == 2 and type(head[0]) is str and type(head[1]) is str:
        row_id, item, origin = head[0], head[1], None
    else:
        row_id = None
    if row_id is None or columns is None or len(row) - 1 > len(columns):
        raise FormDamaged(f"meeting {doc['id'][:40]!r} has a row whose cells name no columns")
    # Trailing empty cells were left off: zip_longest puts them back as None.
    return {"id": row_id, "item": item, "values": dict(zip_longest(columns, row[1:])), "added": day, "origin": origin}


def _dangling(doc: dict[str, Any]) -> FormDamaged:
    return FormDamaged(f"meeting {doc['id'][:40]!r} carries a row that no earlier meeting of its client holds")


def _fresh(default: Any) -> Any:
    """A default put back: an empty list or dict of its own, never one shared by records."""
    return type(default)() if isinstance(default, (list, dict)) else default


def _whole_row(where: tuple[str, str], row: Any, day: str, own: str, seen: dict[Any, Any], doc: dict[str, Any]) -> Any:
    if not isinstance(row, dict):
        return row  # the record check names it
    if VERBATIM in row:
        return row[VERBATIM]
    row_id = row.get("id")
    if len(row) == 1 and row_id is None:  # {ID: changed cells}
        ((row_id, cells),) = row.items()
        row = {"id": row_id, REF: 1, CELLS: cells}
    if not isinstance(row_id, str):
        return row
    if REF in row:
        base = seen.get(row_id)
        if base is None:
            raise _dangling(doc)
        whole = {k: row.get(k, base.get(k)) for k in ROW_KEYS}
        if CELLS in row and isinstance(base.get("values"), dict) and isinstance(row[CELLS], dict):
            whole["values"] = {**base["values"], **row[CELLS]}
        return whole
    values = row.get("values", {})
    if isinstance(values, dict):
        seen[("cols", *where)] = tuple(values)
    return {
        "id": row_id,
        "item": row.get("item"),
        "values": values,
        "added": row.get("added", day),
        "origin": row.get("origin", own),
    }


def read_tables(data: dict[str, Any]) -> None:
    """A parsed main file's tables (in place) as the store keeps them: by record id, every
    meeting whole. The meta table is as it was."""
    for name in ("clients", "meetings", "exercises"):
        table = data.get(name)
        if not table or not isinstance(table, dict):
            continue
        keyed = by_id(table)
        if name == "meetings":
            whole_meetings(keyed)
        table.clear()
        table.update(keyed)


def is_lean(data: dict[str, Any]) -> bool:
    """Whether the data's format record names a format whose meetings are stored lean."""
    app = (data.get("meta") or {}).get("app")
    return not (isinstance(app, dict) and not app.get("schema", 0) >= LEAN_SCHEMA)


def file_tables(data: dict[str, Any]) -> dict[str, Any]:
    """The tables as the main file keeps them: numbered, the meetings lean (as they were,
    for data whose format record names an older format: what it says is what it holds)."""
    if not is_lean(data):
        return data
    out: dict[str, Any] = {}
    for name, table in data.items():
        if name == "meta" or not isinstance(table, dict):
            out[name] = table
        elif name == "meetings":
            out[name] = numbered(lean_meetings(table))
        else:
            out[name] = numbered(table)
    return out
