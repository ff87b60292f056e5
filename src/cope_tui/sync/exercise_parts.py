"""The part of a COPE exercise a conflict is about, named as the exercise screen names it.

The conflicts list read "answers > information > q03 > value" and "culture > grow > c2 >
by when": a team's own data, but in the file's words. Here a part is named by its
section (Self-assessment, Client interviews, ...) and the shipped guides' numbers and
titles, never by a stored value (a site or a record's label): the CLI prints these lines.
A path this does not know (a newer cope-tui's) gets None, and the caller's plain words.
"""

from __future__ import annotations

from typing import Any

from ..errors import ContentError

# The fields of a row, in the words of the forms they are typed into.
_WORDS = {
    "value": "answer", "comment": "comment", "text": "problem", "cause": "cause",
    "recommendation": "recommendation", "by_whom": "by whom", "by_when": "by when",
    "priority": "priority", "status": "status", "history": "status changes", "who": "who",
    "what": "what", "done": "done", "staff": "staff", "start": "start", "end": "end",
    "arrival": "arrival", "departure": "departure", "visit_type": "first or follow-up",
    "client": "client number", "outside_help": "outside help", "interviewee": "who was interviewed",
    "name": "name", "members": "members", "guides": "guides", "at": "time",
}
_SECTIONS = {
    "interviews": "Client interviews, an interview", "record_checks": "Record review, a record",
    "problems": "Action plan, a problem", "contacts": "Client flow, a contact", "teams": "Teams, a team",
}


def exercise_part(path: list[Any]) -> str | None:
    """`path` of an exercise's field as the exercise screen names it, or None."""
    try:
        if path[0] == "answers" and len(path) >= 3:
            return _guide_answer(path[1], path[2], path[3:])
        if path[0] == "culture" and len(path) >= 3:
            return _culture_item(path[1], path[2], path[3:])
        if path[0] == "visits" and len(path) >= 2 and isinstance(path[1], dict):
            return f"Client flow, visit {int(path[1]['number'])}" + _field(path[2:])
        if path[0] in _SECTIONS and len(path) >= 2 and isinstance(path[1], dict):
            if path[0] == "interviews" and len(path) >= 4 and path[2] == "answers":
                return f"Client interviews, an interview, question {_interview_number(path[3])}" + _field(path[4:])
            if path[0] == "record_checks" and len(path) >= 4 and path[2] == "marks":
                return f"Record review, a record, item {_record_item(path[3])}" + _field(path[4:])
            return _SECTIONS[path[0]] + _field(path[2:])
    except (ContentError, LookupError, TypeError, ValueError):
        return None
    return None


def _field(rest: list[Any]) -> str:
    if not rest:
        return ""
    word = _WORDS.get(rest[0]) if isinstance(rest[0], str) else None
    if word is None:
        raise KeyError(rest[0])
    return f": {word}"


def _guide_answer(guide_id: Any, question_id: Any, rest: list[Any]) -> str:
    from ..content.cope_guides import load_guides

    guide = load_guides().guide(guide_id)
    number = [q.id for q in guide.questions].index(question_id) + 1
    return f"Self-assessment guide {guide.number} ({guide.title}), question {number}" + _field(rest)


def _interview_number(question_id: Any) -> int:
    from ..content.cope_guides import load_interview

    return [q.id for q in load_interview().questions].index(question_id) + 1


def _record_item(item_id: Any) -> int:
    from ..content.cope_guides import load_record_review

    return [i.id for i in load_record_review().items].index(item_id) + 1


def _culture_item(stage_id: Any, item_id: Any, rest: list[Any]) -> str:
    from ..content.cope_guides import load_culture

    stage = load_culture().stage(stage_id)
    number = [i.id for i in stage.items].index(item_id) + 1
    return f"Culture of service, {stage.title}, item {number}" + _field(rest)
