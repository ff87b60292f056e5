"""Guided-step content, loaded from TOML data files and validated before use.

The step engine knows only these shapes; which steps exist, their prompts,
checklists and lists all come from `content/*.toml`, so wording can change
without touching code.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from . import files as content_files
from .files import Strict
from ..errors import ContentError  # noqa: F401  (re-exported: where callers expect it)

ID_PATTERN = r"^[a-z][a-z0-9_]*$"


class ColumnKind(StrEnum):
    TEXT = "text"
    DATE = "date"
    INT = "int"
    BOOL = "bool"
    CHOICE = "choice"


class Column(Strict):
    """One column of a list; a row editor shows one input per column."""

    id: str = Field(pattern=ID_PATTERN)
    label: str = Field(min_length=1)
    kind: ColumnKind = ColumnKind.TEXT
    choices: tuple[str, ...] = ()
    required: bool = False
    # Required only when another column holds a given value (a deferral needs a reason).
    required_when: dict[str, str] = Field(default_factory=dict)
    help: str = ""
    # Read-only columns hold the fixed text of a checklist item.
    readonly: bool = False
    # Shown in the table only when there is room for it beside the others; on a narrow
    # screen the highlighted row's help line and the row editor still show it.
    wide_only: bool = False

    @model_validator(mode="after")
    def _choices_fit_kind(self) -> Column:
        if self.kind is ColumnKind.CHOICE and not self.choices:
            raise ValueError("a 'choice' column needs a non-empty 'choices' list")
        if self.kind is not ColumnKind.CHOICE and self.choices:
            raise ValueError("'choices' is only for columns of kind 'choice'")
        return self


class FixedItem(Strict):
    """A checklist row that the content provides and the user cannot delete."""

    id: str = Field(pattern=ID_PATTERN)
    text: str = Field(min_length=1)


class ListSpec(Strict):
    """A table of rows: agenda items, referrals, strengths, action items, checklists."""

    id: str = Field(pattern=ID_PATTERN)
    label: str = Field(min_length=1)
    help: str = ""
    columns: tuple[Column, ...] = Field(min_length=1)
    # Rows given by the content (a checklist); their text goes in the first column.
    items: tuple[FixedItem, ...] = ()
    # Which column the space key toggles (a bool column), if any.
    toggle: str | None = None
    # Which column says a row is settled; "all_decided" steps need it filled on every row.
    decision: str | None = None
    # What moves to the client's next meeting: nothing, every row, or rows not yet done.
    carry: Literal["none", "all", "open"] = "none"
    # For carry = "open": the bool column that marks a row done.
    done_column: str | None = None
    reorderable: bool = False

    @property
    def fixed(self) -> bool:
        return bool(self.items)

    def column(self, column_id: str) -> Column:
        for col in self.columns:
            if col.id == column_id:
                return col
        raise KeyError(column_id)

    @model_validator(mode="after")
    def _references_exist(self) -> ListSpec:
        ids = [c.id for c in self.columns]
        if len(set(ids)) != len(ids):
            raise ValueError(f"column ids must be unique, got {ids}")
        for name in ("toggle", "decision", "done_column"):
            ref = getattr(self, name)
            if ref is not None and ref not in ids:
                raise ValueError(f"'{name}' names column '{ref}', which is not one of {ids}")
        for name in ("toggle", "done_column"):
            ref = getattr(self, name)
            if ref is not None and self.column(ref).kind is not ColumnKind.BOOL:
                raise ValueError(f"'{name}' must name a column of kind 'bool'")
        if self.carry == "open" and self.done_column is None:
            raise ValueError("carry = 'open' needs 'done_column' to say which rows are done")
        if self.decision is not None and self.column(self.decision).kind is not ColumnKind.CHOICE:
            raise ValueError("'decision' must name a column of kind 'choice'")
        for col in self.columns:
            for other, value in col.required_when.items():
                if other not in ids:
                    raise ValueError(
                        f"column '{col.id}': required_when names '{other}', not one of {ids}"
                    )
                target = self.column(other)
                if target.choices and value not in target.choices:
                    raise ValueError(
                        f"column '{col.id}': required_when expects '{value}' in '{other}', "
                        f"which only allows {list(target.choices)}"
                    )
        item_ids = [i.id for i in self.items]
        if len(set(item_ids)) != len(item_ids):
            raise ValueError("checklist item ids must be unique")
        return self


class FieldSpec(Strict):
    """A single short answer, such as the purpose of the meeting or the next date."""

    id: str = Field(pattern=ID_PATTERN)
    label: str = Field(min_length=1)
    kind: Literal["text", "date"] = "text"
    help: str = ""
    placeholder: str = ""


class Skill(Strict):
    """A relationship skill the worker leans on in a step, with a one-line reminder of how."""

    name: str = Field(min_length=1, max_length=24)
    how: str = Field(min_length=1, max_length=120)


class Step(Strict):
    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1, max_length=24)
    # Which meetings show the step.
    when: Literal["always", "first", "review"] = "always"
    intro: str = ""
    prompts: tuple[str, ...] = ()
    fields: tuple[FieldSpec, ...] = ()
    lists: tuple[ListSpec, ...] = ()
    notes_label: str = "Notes"
    # Skills shown beside the prompts: how the worker works, not what they ask.
    skills: tuple[Skill, ...] = ()
    # "all_decided": the step cannot be marked done until every row of every list
    # with a 'decision' column has a value there.
    done_rule: Literal["none", "all_decided"] = "none"

    @model_validator(mode="after")
    def _field_ids_unique(self) -> Step:
        ids = [f.id for f in self.fields]
        if len(set(ids)) != len(ids):
            raise ValueError(f"field ids in step '{self.id}' must be unique, got {ids}")
        return self

    def applies_to(self, first_meeting: bool) -> bool:
        return self.when == "always" or (self.when == "first") == first_meeting

    def list_spec(self, list_id: str) -> ListSpec:
        for spec in self.lists:
            if spec.id == list_id:
                return spec
        raise KeyError(list_id)


class MeetingGuide(Strict):
    """The whole meeting: its steps in order."""

    schema_version: Literal[1] = 1
    title: str
    steps: tuple[Step, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _ids_unique(self) -> MeetingGuide:
        seen: set[str] = set()
        list_ids: set[str] = set()
        for step in self.steps:
            if step.id in seen:
                raise ValueError(f"step id '{step.id}' is used twice; give each step its own id")
            seen.add(step.id)
            for spec in step.lists:
                if spec.id in list_ids:
                    raise ValueError(f"list id '{spec.id}' is used twice; list ids must be unique")
                list_ids.add(spec.id)
        return self

    def steps_for(self, first_meeting: bool) -> list[Step]:
        return [s for s in self.steps if s.applies_to(first_meeting)]

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    def all_lists(self) -> list[tuple[Step, ListSpec]]:
        return [(step, spec) for step in self.steps for spec in step.lists]


def parse_meeting_guide(text: str, name: str) -> MeetingGuide:
    """Parse and validate a meeting guide; errors name the file, field and fix."""
    return content_files.parse(text, name, MeetingGuide)


def load_meeting_guide(path: Path | None = None) -> MeetingGuide:
    """Load the meeting guide from `path`, or the one shipped with the package."""
    return content_files.load(path, MeetingGuide, "meeting.toml")
