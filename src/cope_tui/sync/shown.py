"""A conflict's two versions, as the chooser shows them side by side.

Found at 80x24: a meeting deleted by one worker and typed in by another showed as the
whole record in indented JSON, ids and clock first, and the notes that decide the
choice were below the fold of a 34-column pane. Two versions of a finalised meeting
were two such dumps, identical but for a line somewhere. Now a whole record reads as
its parts, named as the screens name them (parts.py), with what was typed in full; and
where both sides are records, only the parts that differ. A single field's value (the
usual conflict) is its text as typed.

Everything shown here came from the DB or a team member's payload: control characters
and escape sequences are dropped (mdsafe.clean), names are escaped by parts.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..mdsafe import clean
from ..words import agrees, counted
from .parts import part_name, step_of, step_rank

NOTHING = "(nothing: absent or deleted)"
# Bookkeeping a worker never typed, and that does not tell two versions apart for them.
QUIET = {"id", "client_id", "active_seconds", "current_step", "content_hash", "origin", "item", "added"}
_MISSING = object()
DEEP = 12  # a record nests 7 levels at most (a meeting's row's cell)

Leaf = tuple[list[Any], str]  # (path as in a conflict, the text shown)


def readable(table: str, value: Any, other: Any = None, at: list[Any] | None = None) -> str:
    """`value` as a worker reads it; `other`, the version on the other side: when both
    are records or lists, only what differs from it is listed. `at`: where in the
    record the value is (the conflict's path; the whole record when empty)."""
    if value is None:
        return NOTHING
    if not isinstance(value, (dict, list)):
        return _scalar(value)
    at = list(at or [])
    leaves = list(_leaves(value, at))
    if isinstance(other, type(value)):
        theirs = {_key(path): text for path, text in _leaves(other, at)}
        mine = {_key(path) for path, _ in leaves}
        leaves = [(path, text) for path, text in leaves if theirs.get(_key(path), _MISSING) != text]
        only_there = sum(1 for key in theirs if key not in mine)
        differ = len(leaves) + only_there
        head = [f"{counted(differ, 'part')} {agrees(differ, 'differs', 'differ')}; the rest is the same on both sides."]
        if only_there:
            head.append(f"{counted(only_there, 'part')} only in the other version.")
    else:
        head = []
    lines = head + [f"{_name(table, path)}: {text}" for path, text in leaves]
    return "\n".join(lines) if lines else "(empty)"


def _name(table: str, path: list[Any]) -> str:
    """As parts.py names it; a step's state reads "Opening step: done"."""
    if table == "meetings" and len(path) == 3 and path[0] == "steps" and path[2] == "state":
        step = step_of(path[1])
        if step is not None:
            return f"{step.title} step"
    return part_name(table, path) or "the record"


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return clean(str(value)) if value != "" else "(empty)"


def _key(path: list[Any]) -> tuple[Any, ...]:
    return tuple(("row", part.get("id")) if isinstance(part, dict) else part for part in path)


def _leaves(value: Any, path: list[Any]) -> Iterator[Leaf]:
    """Each part a worker typed or chose, with its path: a list of words as one part, a
    row of a list as one part (its cells joined), nothing left empty. A member's payload
    can nest deeper than any record does: past DEEP levels it is named, not walked."""
    if len(path) > DEEP and isinstance(value, (dict, list)):
        yield path, "(nested too deep to show here)"
    elif isinstance(value, dict):
        steps = path == ["steps"]  # a meeting's steps, in the guide's order
        for name in sorted(value, key=lambda name: (step_rank(name), name) if steps else (0, str(name))):
            if name not in QUIET:
                yield from _leaves(value[name], [*path, name])
    elif isinstance(value, list):
        if all(not isinstance(item, (dict, list)) for item in value):
            text = ", ".join(_scalar(item) for item in value if item not in (None, ""))
            if text:
                yield path, text
            return
        for n, item in enumerate(value):
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                text = _row(item)
                if text:
                    yield [*path, {"id": item["id"]}], text
            else:
                yield from _leaves(item, [*path, n])
    elif value not in (None, "") and not (path and path[-1] == "state" and value == "pending"):
        yield path, _scalar(value)


def _row(row: dict[str, Any]) -> str:
    """A row's cells on one line, in the order they were stored."""
    values = row.get("values")
    cells = {k: v for k, v in row.items() if k not in QUIET and k != "values"} | (values if isinstance(values, dict) else {})
    return " · ".join(_scalar(v) for v in cells.values() if v not in (None, "", [], {}) and not isinstance(v, (dict, list)))
