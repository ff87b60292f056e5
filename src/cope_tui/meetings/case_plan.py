"""The case plan: goals from stage 3 and how each moves from one review to the next.

A goal is either the preferred scenario (the state the client wants to reach) or a
change goal on the way there, each with the benefit indicators by which the client
will know it is working. At a meeting each goal gets a progress score from 0 (no
progress) to 10 (reached) and a short note; a goal's scores in date order are its
trend. The rules live here so the screens, the export and the tests share them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from ..mdsafe import one_line
from .errors import MeetingError
from .rules import ensure_editable
from .models import Client, Goal, GoalRating, Meeting

KINDS = ("preferred", "change")
KIND_LABELS = {"preferred": "preferred scenario", "change": "change goal"}
SCORE_MIN, SCORE_MAX = 0, 10
TEXT_MAX = 300
INDICATOR_MAX = 200
INDICATORS_MAX = 12
NOTE_MAX = 500
BLOCKS = "▁▂▃▄▅▆▇█"

class CasePlanError(MeetingError):
    """A case-plan change that cannot be made; the message says why and what to type."""


def _ensure_open(client: Client) -> None:
    """A closed client (stage 6 done) is read-only, its case plan included."""
    if client.closed:
        raise CasePlanError(
            f"{client.code} is closed and read-only. Reopen the client (o on the client screen) "
            "before changing the case plan."
        )


def _clean_line(text: str, what: str, limit: int) -> str:
    text = one_line(text)
    if len(text) > limit:
        raise CasePlanError(f"Keep {what} to {limit} characters; this one has {len(text)}.")
    return text


def clean_text(text: str) -> str:
    """The goal as one tidy line; empty is refused with what to write instead."""
    text = _clean_line(text or "", "the goal", TEXT_MAX)
    if not text:
        raise CasePlanError(
            "Write the goal in the client's words, e.g. 'Back at work three days a week' (it cannot be empty)."
        )
    return text


def clean_kind(kind: str) -> str:
    kind = (kind or "").strip().lower()
    if kind not in KINDS:
        raise CasePlanError("Choose the kind of goal: 'preferred' (the preferred scenario) or 'change' (a change goal).")
    return kind


def clean_indicators(lines: Iterable[str] | str) -> list[str]:
    """Indicators one per line; blank lines and repeats are dropped."""
    if isinstance(lines, str):
        lines = lines.splitlines()
    out: list[str] = []
    for line in lines:
        line = _clean_line(line, "each indicator", INDICATOR_MAX)
        if line and line not in out:
            out.append(line)
    if len(out) > INDICATORS_MAX:
        raise CasePlanError(f"Keep to {INDICATORS_MAX} indicators per goal; there are {len(out)}.")
    return out


def find_goal(client: Client, goal_id: str) -> Goal:
    for goal in client.goals:
        if goal.id == goal_id:
            return goal
    raise CasePlanError("That goal is no longer in the case plan; it may have been removed.")


def add_goal(
    client: Client,
    text: str,
    kind: str = "change",
    indicators: Iterable[str] | str = (),
    *,
    today: date | None = None,
) -> Goal:
    """A new goal at the end of the plan (the preferred scenario goes first)."""
    _ensure_open(client)
    goal = Goal(
        text=clean_text(text),
        kind=clean_kind(kind),
        indicators=clean_indicators(indicators),
        created=today or date.today(),
    )
    if goal.kind == "preferred":
        at = sum(1 for g in client.goals if g.kind == "preferred")
        client.goals.insert(at, goal)
    else:
        client.goals.append(goal)
    return goal


def edit_goal(
    client: Client,
    goal_id: str,
    *,
    text: str | None = None,
    kind: str | None = None,
    indicators: Iterable[str] | str | None = None,
) -> Goal:
    """Change what was given; everything is checked before anything changes."""
    _ensure_open(client)
    goal = find_goal(client, goal_id)
    new_text = clean_text(text) if text is not None else goal.text
    new_kind = clean_kind(kind) if kind is not None else goal.kind
    new_indicators = clean_indicators(indicators) if indicators is not None else goal.indicators
    goal.text, goal.kind, goal.indicators = new_text, new_kind, new_indicators
    return goal


def remove_goal(client: Client, goal_id: str) -> Goal:
    _ensure_open(client)
    goal = find_goal(client, goal_id)
    client.goals.remove(goal)
    return goal


def set_achieved(client: Client, goal_id: str, achieved: bool = True, *, today: date | None = None) -> Goal:
    """Mark a goal reached (dated) or open again; an achieved goal is no longer rated."""
    _ensure_open(client)
    goal = find_goal(client, goal_id)
    goal.achieved = (today or date.today()) if achieved else None
    return goal


def open_goals(client: Client) -> list[Goal]:
    return [g for g in client.goals if g.achieved is None]


# ---- ratings --------------------------------------------------------------------------


def parse_score(text: object) -> int:
    """A progress score as typed; anything but a whole number 0-10 is refused."""
    if isinstance(text, bool):
        text = str(text)
    if isinstance(text, int):
        value = text
    else:
        raw = str(text).strip()
        if raw.endswith("/10"):
            raw = raw[:-3].strip()
        if not re.fullmatch(r"[0-9]{1,2}", raw):
            shown = f"'{str(text).strip()[:20]}'" if str(text).strip() else "Nothing"
            raise CasePlanError(
                f"{shown} is not a score. Type a whole number from {SCORE_MIN} (no progress) to {SCORE_MAX} (reached)."
            )
        value = int(raw)
    if not SCORE_MIN <= value <= SCORE_MAX:
        raise CasePlanError(f"{value} is out of range. Type a whole number from {SCORE_MIN} to {SCORE_MAX}.")
    return value


def check_can_rate(client: Client, meeting: Meeting) -> None:
    """Ratings belong to an open meeting of this client, and only while it is a draft."""
    if meeting.client_id != client.id:
        raise CasePlanError("That meeting belongs to another client; open this client's meeting to rate its goals.")
    _ensure_open(client)
    try:
        ensure_editable(meeting)
    except MeetingError:
        raise CasePlanError(
            "This meeting is finalised, so its scores are part of the signed record. "
            "Rate progress at the next meeting (start or resume it, then F9)."
        ) from None


def rate(client: Client, goal_id: str, meeting: Meeting, score: object, note: str = "") -> GoalRating:
    """Rate a goal at a meeting; rating again at the same meeting replaces the earlier score."""
    check_can_rate(client, meeting)
    goal = find_goal(client, goal_id)
    rating = GoalRating(
        score=parse_score(score),
        on=meeting.started.date(),
        meeting_id=meeting.id,
        note=clean_note(note),
    )
    kept = [r for r in goal.ratings if r.meeting_id != meeting.id]
    kept.append(rating)
    kept.sort(key=lambda r: r.on)  # stable: same-day ratings keep the order they were given
    goal.ratings = kept
    return rating


def unrate(client: Client, goal_id: str, meeting: Meeting) -> bool:
    """Take back a goal's rating at a draft meeting; True if there was one."""
    check_can_rate(client, meeting)
    goal = find_goal(client, goal_id)
    before = len(goal.ratings)
    goal.ratings = [r for r in goal.ratings if r.meeting_id != meeting.id]
    return len(goal.ratings) != before


def clean_note(note: str) -> str:
    note = one_line(note or "")
    if len(note) > NOTE_MAX:
        raise CasePlanError(f"Keep the note to {NOTE_MAX} characters; it has {len(note)}.")
    return note


def rating_at(goal: Goal, meeting_id: str) -> GoalRating | None:
    for rating in goal.ratings:
        if rating.meeting_id == meeting_id:
            return rating
    return None


def latest(goal: Goal) -> GoalRating | None:
    """The most recent rating; of two on one day, the one given last."""
    return max(reversed(goal.ratings), key=lambda r: r.on, default=None)


def trend(goal: Goal) -> list[int]:
    """The goal's scores, oldest first."""
    return [r.score for r in sorted(goal.ratings, key=lambda r: r.on)]


def sparkline(scores: Iterable[int], width: int | None = None) -> str:
    """One block per score on a fixed 0-10 scale, so a 5 always looks like a 5.

    With `width`, only the latest scores that fit are shown.
    """
    scores = list(scores)
    if width is not None:
        scores = scores[-width:] if width > 0 else []
    top = len(BLOCKS) - 1
    out = []
    for score in scores:
        score = min(max(int(score), SCORE_MIN), SCORE_MAX)
        out.append(BLOCKS[(score * top * 2 + SCORE_MAX) // (SCORE_MAX * 2)])  # rounded half up
    return "".join(out)


def direction(scores: list[int]) -> str:
    """A word for the last change: up, down, level, or '' before there are two scores."""
    if len(scores) < 2:
        return ""
    step = scores[-1] - scores[-2]
    return "up" if step > 0 else "down" if step < 0 else "level"
