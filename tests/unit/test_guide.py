"""The shipped meeting guide loads and has the expected shape; broken files are reported clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from cope_tui.content.meeting_guide import ColumnKind, ContentError, load_meeting_guide, parse_meeting_guide

EXPECTED_STEPS = [
    "opening",
    "boundaries",
    "services",
    "progress",
    "strengths",
    "support",
    "needs",
    "outcomes",
]

# A minimal valid guide; broken variants are made by editing it.
MINIMAL = """\
schema_version = 1
title = "Test guide"

[[steps]]
id = "one"
title = "One"

[[steps.lists]]
id = "things"
label = "Things"
toggle = "done"

[[steps.lists.columns]]
id = "thing"
label = "Thing"
required = true

[[steps.lists.columns]]
id = "done"
label = "Done"
kind = "bool"
"""


def _write(tmp_path: Path, text: str, name: str = "guide.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _load_error(tmp_path: Path, text: str, name: str = "guide.toml") -> str:
    path = _write(tmp_path, text, name)
    with pytest.raises(ContentError) as info:
        load_meeting_guide(path)
    message = str(info.value)
    assert str(path) in message, message
    return message


# --- the shipped guide -------------------------------------------------------


def test_shipped_guide_loads() -> None:
    guide = load_meeting_guide()
    assert guide.schema_version == 1
    assert guide.title.strip()


def test_minimal_fixture_is_valid(tmp_path: Path) -> None:
    # The broken-file tests below only prove something if the unbroken base is valid.
    guide = load_meeting_guide(_write(tmp_path, MINIMAL))
    assert [s.id for s in guide.steps] == ["one"]


def test_shipped_steps_in_order() -> None:
    assert [s.id for s in load_meeting_guide().steps] == EXPECTED_STEPS


def test_boundaries_is_first_meeting_checklist_of_seven() -> None:
    step = load_meeting_guide().step("boundaries")
    assert step.when == "first"
    assert step.done_rule == "all_decided"
    spec = step.list_spec("boundaries")
    assert len(spec.items) == 7
    assert len({i.id for i in spec.items}) == 7
    assert spec.columns[0].readonly
    assert spec.decision == "decision"
    assert spec.column("decision").choices == ("agreed", "deferred")
    assert spec.column("reason").required_when == {"decision": "deferred"}
    assert spec.toggle == "discussed"
    assert spec.carry == "none"


def test_review_meetings_skip_boundaries() -> None:
    guide = load_meeting_guide()
    review = [s.id for s in guide.steps_for(first_meeting=False)]
    first = [s.id for s in guide.steps_for(first_meeting=True)]
    assert "boundaries" not in review
    assert review == [s for s in EXPECTED_STEPS if s != "boundaries"]
    assert first == EXPECTED_STEPS


def test_titles_fit_sidebar() -> None:
    for step in load_meeting_guide().steps:
        assert 0 < len(step.title) <= 24, step.title


def test_every_step_has_intro_and_prompts() -> None:
    for step in load_meeting_guide().steps:
        assert step.intro.strip(), step.id
        assert 3 <= len(step.prompts) <= 6, step.id
        for prompt in step.prompts:
            assert len(prompt) <= 110, prompt


def test_column_labels_short() -> None:
    for _step, spec in load_meeting_guide().all_lists():
        for col in spec.columns:
            assert len(col.label) <= 14, (spec.id, col.label)


def test_open_carry_lists_have_done_column() -> None:
    guide = load_meeting_guide()
    open_lists = [spec for _step, spec in guide.all_lists() if spec.carry == "open"]
    assert open_lists, "expected at least one carry='open' list (actions)"
    for spec in open_lists:
        assert spec.done_column is not None, spec.id
        assert spec.column(spec.done_column).kind is ColumnKind.BOOL


def test_actions_and_next_meeting() -> None:
    step = load_meeting_guide().step("outcomes")
    actions = step.list_spec("actions")
    assert actions.carry == "open"
    assert actions.done_column == "done"
    assert actions.column("due").kind is ColumnKind.DATE
    next_meeting = {f.id: f for f in step.fields}["next_meeting"]
    assert next_meeting.kind == "date"


# --- broken files ------------------------------------------------------------


def test_invalid_toml_names_file(tmp_path: Path) -> None:
    message = _load_error(tmp_path, MINIMAL.replace('title = "One"', 'title = "One'), "bad.toml")
    assert "TOML" in message
    assert "bad.toml" in message


def test_invalid_toml_via_parse_guide() -> None:
    with pytest.raises(ContentError, match=r"TOML") as info:
        parse_meeting_guide("title = [", "inline.toml")
    assert "inline.toml" in str(info.value)


def test_missing_title_names_field(tmp_path: Path) -> None:
    message = _load_error(tmp_path, MINIMAL.replace('title = "One"\n', ""))
    assert "steps.0.title" in message
    assert "Field required" in message


def test_choice_column_without_choices(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        'label = "Thing"\nrequired = true',
        'label = "Thing"\nkind = "choice"\nrequired = true',
    )
    message = _load_error(tmp_path, text)
    assert "steps.0.lists.0.columns.0" in message
    assert "choices" in message


def test_toggle_naming_missing_column(tmp_path: Path) -> None:
    message = _load_error(tmp_path, MINIMAL.replace('toggle = "done"', 'toggle = "finished"'))
    assert "steps.0.lists.0" in message
    assert "toggle" in message
    assert "finished" in message


def test_duplicate_step_ids(tmp_path: Path) -> None:
    extra = '\n[[steps]]\nid = "one"\ntitle = "Again"\n'
    message = _load_error(tmp_path, MINIMAL + extra)
    assert "'one'" in message
    assert "used twice" in message


def test_unknown_key_is_rejected(tmp_path: Path) -> None:
    message = _load_error(tmp_path, MINIMAL.replace('title = "One"', 'titel = "One"'))
    assert "steps.0.titel" in message
    assert "Extra inputs are not permitted" in message


def test_title_too_long_is_rejected(tmp_path: Path) -> None:
    message = _load_error(tmp_path, MINIMAL.replace('title = "One"', f'title = "{"x" * 25}"'))
    assert "steps.0.title" in message


def test_open_carry_without_done_column(tmp_path: Path) -> None:
    message = _load_error(tmp_path, MINIMAL.replace('toggle = "done"', 'toggle = "done"\ncarry = "open"'))
    assert "done_column" in message


def test_missing_file_names_path(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "meeting.toml"
    with pytest.raises(ContentError) as info:
        load_meeting_guide(path)
    assert str(path) in str(info.value)
