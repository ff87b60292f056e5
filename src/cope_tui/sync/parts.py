"""The part of a record a conflict is about, in the words the screens use for it.

Found at 80x24: the chooser listed "steps > opening > notes was changed here and by ...",
and the worker had to guess that it meant the notes of the Opening step; a clock clash
read "active_seconds". A meeting's steps, fields and lists are named by the meeting
guide's titles and labels (never a stored value: the CLI prints these lines too); any
other part by its field names, in plain words.
"""

from __future__ import annotations

from typing import Any


def _guide() -> Any:
    """The meeting guide (the shipped one is read once per process, content/files.py);
    None when it cannot be read: names and order fall back."""
    from ..content.meeting_guide import load_meeting_guide
    from ..errors import ContentError

    try:
        return load_meeting_guide()
    except ContentError:
        return None


def step_of(step_id: str) -> Any:
    """The meeting guide's step by that id, or None."""
    guide = _guide()
    try:
        return None if guide is None else guide.step(step_id)
    except KeyError:
        return None


def step_rank(step_id: Any) -> int:
    """Where a meeting's step comes in the guide (unknown ones after all the others)."""
    guide = _guide()
    ids = [] if guide is None else [step.id for step in guide.steps]
    return ids.index(step_id) if step_id in ids else len(ids)


def part_name(table: str, path: list[Any]) -> str:
    """`path` (dict keys, and {"id": ...} for a row of a list) as the screens name it."""
    if table == "meetings" and len(path) >= 3 and path[0] == "steps" and isinstance(path[1], str):
        named = _step_part(path[1], path[2:])
        if named:
            return named
    if table == "exercises" and path:
        from .exercise_parts import exercise_part

        named = exercise_part(path)
        if named:
            return named
    return " > ".join(_plain(part) for part in path)


def _step_part(step_id: str, rest: list[Any]) -> str | None:
    step = step_of(step_id)
    if step is None:
        return None
    if rest == ["notes"]:
        return f"{step.title} notes"
    if rest == ["state"]:
        return f"{step.title}: done, skipped or pending"
    kind, key = rest[0], rest[1] if len(rest) > 1 else None
    specs = step.fields if kind == "fields" else step.lists if kind == "lists" else ()
    label = next((spec.label for spec in specs if spec.id == key), None)
    if label is None:
        return None
    return f"{label} ({step.title}){', a row' if len(rest) > 2 else ''}"


def _plain(part: Any) -> str:
    """A field name from a team member's payload: control characters escaped, cut."""
    from ..store.record_check import shown

    return "a row" if isinstance(part, dict) else shown(part).replace("_", " ")
