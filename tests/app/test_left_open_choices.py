"""A form left open keeps what was chosen in it beside what was typed: a reason kept
without the stage it was for, or a problem without its priority, tells half the story.
A choice moved with nothing typed is not words, and keeps nothing.

`app._on_signal` is what a hang-up runs; the kept words are read back from the DB file.
"""

from __future__ import annotations

import pytest

from cope_tui.dialogs.problem_form import ProblemForm
from helpers.kept_words import dialog_then_hangup, kept_in, stage_form_then_hangup

REASON = "Reason for the change (required; kept with today's date)"


@pytest.fixture
def db(tmp_path):
    return tmp_path / "cope.json"


async def test_a_reason_is_kept_with_the_stage_it_was_for(db):
    await stage_form_then_hangup(db, "5", *"settled for three months")
    [kept] = kept_in(db)
    assert kept.title == "Helping stage of C-4"
    assert list(kept.fields) == [("New stage", "5  Consolidating"), (REASON, "settled for three months")]


async def test_a_stage_moved_with_no_reason_typed_keeps_nothing(db):
    await stage_form_then_hangup(db, "down", "down")
    assert kept_in(db) == []


async def test_a_problem_keeps_its_priority_and_status_in_the_order_shown(db):
    await dialog_then_hangup(db, ProblemForm(None), *"clients wait too long", "tab", *"one nurse at intake")
    [kept] = kept_in(db)
    assert kept.title == "Add a problem"
    assert list(kept.fields) == [
        ("Problem *", "clients wait too long"),
        ("Cause", "one nurse at intake"),
        ("Priority", "medium"),
        ("Status", "open"),
    ]
