"""The helping method, complete in the meeting guide: the worker's relationship skills in the
steps that need them, stage 2's questions, points for supervision, and the handover's room
for reflection and training."""

from __future__ import annotations

import orjson
import pytest

from cope_tui.content.meeting_guide import load_meeting_guide
from cope_tui.content.stages import load_stages
from cope_tui.export.documents import client_markdown
from cope_tui.export.handover import handover_markdown
from cope_tui.meetings.models import Client
from cope_tui.meetings.rules import finalise
from cope_tui.meetings.stages import SECTIONS, handover_missing, write_handover
from cope_tui.records import dump
from cope_tui.search import SearchIndex
from cope_tui.session import create_client, start_meeting
from cope_tui.store.record_check import record_problem
from cope_tui.store.store import Store
from helpers.journey import full_handover

SKILLS = ("empathy", "reflective listening", "assertiveness", "negotiating", "managing conflict", "gathering information")


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "cope.json")
    yield store
    store.close()


def _skills(step_id: str) -> set[str]:
    return {s.name.lower() for s in load_meeting_guide().step(step_id).skills}


def test_every_relationship_skill_is_offered_where_it_is_used():
    guide = load_meeting_guide()
    offered = {s.name.lower() for step in guide.steps for s in step.skills}
    assert offered == set(SKILLS)
    assert "empathy" in _skills("opening") and "reflective listening" in _skills("opening")
    assert {"assertiveness", "negotiating"} <= _skills("boundaries")
    assert "managing conflict" in _skills("progress")
    assert "gathering information" in _skills("needs")
    assert "negotiating" in _skills("outcomes")
    for step in guide.steps:
        for skill in step.skills:
            assert skill.how.strip() and len(skill.how) <= 120


def test_stage_2_asks_about_the_whole_person():
    stage = load_stages().stage(2)
    text = " ".join(stage.prompts).lower()
    for word in ("circumstances", "aspirations", "carers", "psychological", "biological", "social", "emotional"):
        assert word in text, word


def test_points_for_supervision_are_kept_exported_and_found(store):
    guide = load_meeting_guide()
    field = next(f for f in guide.step("outcomes").fields if f.id == "supervision")
    client = create_client(store, "C-SUP")
    meeting = start_meeting(store, guide, client)
    meeting.step("outcomes").fields["supervision"] = "Unsure how to raise the eviction risk"
    finalise(meeting, "worker-1")
    store.put_meeting(meeting)
    text = client_markdown(guide, store, client)
    assert field.label in text and "Unsure how to raise the eviction risk" in text
    found = SearchIndex(store, guide).search("eviction")
    assert found.total == 1 and found.results[0].place == "outcomes"


def test_the_handover_has_room_for_reflection_and_training(store):
    assert "reflection" in dict(SECTIONS)
    client = create_client(store, "C-REF")
    full_handover(client)
    assert handover_missing(client) == []  # optional: an older handover still closes
    write_handover(client, reflection="Ask for training on benefit appeals; I rushed the goal setting.")
    store.put_client(client)
    text = handover_markdown(store, store.client(client.id))
    assert "## Reflection and training needs" in text
    assert "training on benefit appeals" in text
    assert SearchIndex(store).search("appeals").total == 1


def test_a_handover_stored_before_reflection_existed_still_opens():
    client = Client(code="OLD")
    full_handover(client)
    doc = orjson.loads(orjson.dumps(dump(client)))
    doc["handover"].pop("reflection", None)
    assert record_problem("clients", doc["id"], doc) is None
    assert Client.model_validate(doc).handover.reflection == ""


def test_stage_6_names_reflection_and_training():
    purpose = load_stages().stage(6).purpose.lower()
    assert "reflect" in purpose and "training" in purpose
