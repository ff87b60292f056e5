"""The client's journey in the domain: stages content, stage changes, handover, closing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

import cope_tui.content
from cope_tui.errors import ContentError
from cope_tui.export.handover import find_client, handover_markdown
from cope_tui.content.meeting_guide import load_meeting_guide
from cope_tui.session import create_client, start_meeting
from cope_tui.meetings.rules import finalise, new_row
from cope_tui.content.stages import STAGES, load_stages, parse_stages
from cope_tui.meetings.stages import StageError, change_stage, close_client, handover_missing, reopen_client, stage_on, stage_since, write_handover
from cope_tui.store.store import Store
from helpers.journey import full_handover

SHIPPED = Path(cope_tui.content.__file__).parent / "stages.toml"  # through the package, wherever the tests live


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "cope.json")
    yield store
    store.close()


# ---- content ------------------------------------------------------------------------

def test_shipped_stages_are_six_with_their_own_prompts():
    stages = load_stages(SHIPPED)
    assert [s.number for s in stages.stages] == list(range(1, STAGES + 1))
    for stage in stages.stages:
        assert 3 <= len(stage.prompts) <= 5 and stage.name and stage.purpose
    assert set(stages.stage(1).prompts).isdisjoint(stages.stage(5).prompts)
    assert "opening" in stages.show_in
    # Every step named in show_in exists in the meeting guide.
    steps = {s.id for s in load_meeting_guide().steps}
    assert set(stages.show_in) <= steps
    assert load_stages() == stages  # the packaged copy is the same file


def _broken(tmp_path, old: str, new: str) -> Path:
    text = SHIPPED.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "stages.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_a_stage_with_too_few_prompts_is_named_with_the_fix(tmp_path):
    path = _broken(
        tmp_path,
        '    "What matters most to the client right now, in their own words?",\n'
        '    "What would help them feel safe enough to speak openly with you?",\n'
        '    "Have you set aside your own assumptions and any ready-made answer?",\n',
        "",
    )
    with pytest.raises(ContentError) as caught:
        load_stages(path)
    message = str(caught.value)
    assert str(path) in message and "stages.0.prompts" in message and "at least 3" in message
    assert "Fix these fields" in message


def test_stages_out_of_order_or_missing_are_refused(tmp_path):
    path = _broken(tmp_path, "number = 4", "number = 3")
    with pytest.raises(ContentError, match=r"numbered 1 to 6.*\[1, 2, 3, 3, 5, 6\]"):
        load_stages(path)


def test_bad_toml_and_unknown_fields_are_reported_with_the_file(tmp_path):
    path = _broken(tmp_path, 'name = "Goals"', 'name = "Goals')
    with pytest.raises(ContentError, match="not valid TOML"):
        load_stages(path)
    with pytest.raises(ContentError, match=r"stages\.2\.colour"):
        parse_stages(SHIPPED.read_text(encoding="utf-8").replace('name = "Goals"', 'name = "Goals"\ncolour = "red"'), "x")
    with pytest.raises(ContentError, match="Cannot read"):
        load_stages(tmp_path / "missing.toml")


def test_a_prompt_too_long_is_refused():
    long = "x" * 200
    text = SHIPPED.read_text(encoding="utf-8").replace(
        '"How did the steps agreed last time go? What got in the way?"', f'"{long}"'
    )
    with pytest.raises(ContentError, match="characters"):
        parse_stages(text, "stages.toml")


# ---- stage changes --------------------------------------------------------------------

def test_change_stage_is_dated_with_its_reason_and_saved(store, tmp_path):
    client = create_client(store, "C-1")
    assert client.stage == 1 and stage_since(client) == client.created.date()
    change = change_stage(client, 2, "  trust is there  ", today=date(2026, 3, 2))
    store.put_client(client)
    again = Store(tmp_path / "cope.json", read_only=True)
    try:
        saved = again.client(client.id)
    finally:
        again.close()
    assert saved.stage == 2 and saved.stage_history == [change]
    assert change.reason == "trust is there" and change.on == date(2026, 3, 2)
    assert stage_since(saved) == date(2026, 3, 2)
    assert stage_on(saved, date(2026, 3, 1)) == 1 and stage_on(saved, date(2026, 3, 2)) == 2


@pytest.mark.parametrize(
    ("stage", "reason", "words"),
    [(1, "why", "already at stage 1"), (7, "why", "no stage 7"), (0, "why", "no stage 0"), (3, "  ", "reason")],
)
def test_bad_stage_changes_are_refused_and_change_nothing(store, stage, reason, words):
    client = create_client(store, "C-2")
    with pytest.raises(StageError, match=words):
        change_stage(client, stage, reason)
    assert client.stage == 1 and client.stage_history == []


# ---- handover, closing, reopening --------------------------------------------------------

def test_close_needs_a_handover_then_blocks_meetings_and_changes(store):
    guide = load_meeting_guide()
    client = create_client(store, "C-3")
    meeting = start_meeting(store, guide, client)
    assert meeting.stage == 1
    with pytest.raises(StageError, match="Write the handover"):
        close_client(client, store.meetings(client.id))
    full_handover(client)
    assert handover_missing(client) == []
    with pytest.raises(StageError, match="still a draft"):
        close_client(client, store.meetings(client.id))
    finalise(meeting, "worker-1")
    store.put_meeting(meeting)
    close_client(client, store.meetings(client.id))
    store.put_client(client)
    assert client.closed and client.stage == 6  # closing moves the client to the handover stage
    assert client.stage_history[-1].stage == 6 and client.closures[-1].closed
    with pytest.raises(StageError, match="closed and read-only"):
        start_meeting(store, guide, client)
    with pytest.raises(StageError, match="closed and read-only"):
        change_stage(client, 5, "relapse")
    with pytest.raises(StageError, match="closed and read-only"):
        write_handover(client, effect="edited")
    assert len(store.meetings(client.id)) == 1


def test_reopen_needs_a_reason_and_is_recorded(store):
    client = create_client(store, "C-4")
    with pytest.raises(StageError, match="not closed"):
        reopen_client(client, "why")
    full_handover(client)
    close_client(client)
    with pytest.raises(StageError, match="reason"):
        reopen_client(client, "   ")
    assert client.closed
    reopen_client(client, "Came back after losing the flat")
    assert not client.closed and client.closures[-1].reason == "Came back after losing the flat"
    meeting = start_meeting(store, load_meeting_guide(), client)
    assert meeting.stage == 6


def test_partial_handover_names_what_is_missing(store):
    client = create_client(store, "C-5")
    assert handover_missing(client) == ["The journey", "What was learned", "The effect", "Challenges ahead"]
    write_handover(client, journey="x", effect="y")
    assert handover_missing(client) == ["What was learned", "Challenges ahead"]
    with pytest.raises(StageError, match="learned, Challenges ahead"):
        close_client(client)
    with pytest.raises(StageError, match="no section 'mood'"):
        write_handover(client, mood="fine")


# ---- export ---------------------------------------------------------------------------------

def test_handover_markdown_has_journey_sections_and_referrals_escaped(store):
    guide = load_meeting_guide()
    client = create_client(store, "C-6")
    change_stage(client, 2, "ready to | look # closer")
    meeting = start_meeting(store, guide, client)
    spec = guide.step("services").list_spec("referrals")
    meeting.rows("services", "referrals").append(new_row(meeting, spec, {"service": "food bank", "status": "using"}))
    finalise(meeting, "worker-2")
    store.put_meeting(meeting)
    write_handover(
        client,
        journey="# not a heading",
        learned="learned it",
        effect="\x1b[31mred\x1b[0m calmer",
        challenges="winter",
        referrals="GP stays",
    )
    close_client(client, store.meetings(client.id))
    store.put_client(client)
    text = handover_markdown(store, client)
    for heading in ("# Handover: C-6", "## The journey", "## What was learned", "## The effect",
                    "## Challenges ahead", "## Referrals left in place", "## Closed and reopened"):
        assert heading in text, heading
    assert "ready to \\| look \\# closer" in text  # a reason cannot split the table
    assert "\\# not a heading" in text and "\x1b" not in text and "red calmer" in text
    assert "| food bank | using |" in text and "GP stays" in text
    assert "2 Understanding" in text and "6 Handover" in text and "finalised by worker-2" in text


def test_a_referral_ended_in_follow_through_is_not_handed_over_as_in_place(store):
    """Ticked off after the latest meeting, a referral stayed in the handover's table of
    services left in place: the next helper was told a wrong fact."""
    from cope_tui.meetings.follow_through import tick

    guide = load_meeting_guide()
    client = create_client(store, "C-7")
    meeting = start_meeting(store, guide, client)
    spec = guide.step("services").list_spec("referrals")
    food = new_row(meeting, spec, {"service": "food bank", "status": "using"})
    meeting.rows("services", "referrals").extend([food, new_row(meeting, spec, {"service": "GP", "status": "using"})])
    finalise(meeting, "worker-2")
    store.put_meeting(meeting)
    tick(client, food.id, on=date(2026, 12, 7))
    store.put_client(client)
    text = handover_markdown(store, client)
    left = text[text.index("## Referrals left in place"):]
    assert "| GP | using |" in left and "| food bank |" not in left
    assert "- food bank: ended 2026-12-07" in left


def test_find_client_by_code_id_or_unique_start(store):
    client = create_client(store, "C-7")
    assert find_client(store, "C-7").id == client.id
    assert find_client(store, client.id).id == client.id
    assert find_client(store, client.id[:6]).id == client.id
    assert find_client(store, client.id[:6].upper()).id == client.id  # copied from a printout
    with pytest.raises(LookupError, match="4 characters or more"):
        find_client(store, client.id[:3])
    with pytest.raises(LookupError, match="no client"):
        find_client(store, "C-404")


def test_the_client_export_shows_the_stage_and_its_dated_changes(tmp_path):
    from cope_tui.export.documents import client_markdown

    store = Store(tmp_path / "c.json")
    client = create_client(store, "C-60")
    change_stage(client, 3, "goals | agreed at review", today=date(2026, 3, 2))
    store.put_client(client)
    text = client_markdown(load_meeting_guide(), store, client)
    assert "- **Helping stage:** Stage 3: Goals, since 2026-03-02" in text
    assert r"| 2026-03-02 | 3 Goals | goals \| agreed at review |" in text  # a | in a reason stays in its cell
    # The journey starts where the client did, as the handover's does: a change alone told none.
    added = f"| {client.created:%Y-%m-%d} | 1 Relationship | client added |"
    assert added in text and text.index(added) < text.index("| 2026-03-02 |")
    fresh = create_client(store, "C-61")
    assert "The journey so far" not in client_markdown(load_meeting_guide(), store, fresh)  # no changes, no table
    store.close()
