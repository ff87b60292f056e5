"""COPE exercise content: self-assessment guides, client interview, record review,
and the culture-of-service stages, loaded from TOML files and validated before use.

Wording lives in `content/*.toml`; this module only knows the shapes and the rules
(ten guides, seven client rights then three staff needs, unique ids, and so on).
Like the meeting guide, every broken file is reported as a `ContentError` naming the file,
the field and the fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from . import files as content_files
from .files import Strict
from .meeting_guide import ID_PATTERN

GUIDES_FILE = "cope_guides.toml"
INTERVIEW_FILE = "cope_interview.toml"
RECORD_REVIEW_FILE = "record_review.toml"
CULTURE_FILE = "culture_of_service.toml"

GUIDE_COUNT = 10
MIN_QUESTIONS = 8
QUESTION_MAX_CHARS = 120
CLIENT_RIGHTS = "client rights"
STAFF_NEEDS = "staff needs"
# Guides 1-7 are client rights, 8-10 staff needs.
CLIENT_RIGHTS_COUNT = 7
STAGE_IDS = ("blueprints", "construction", "maintenance")

Answer = Literal["yes", "no", "not_sure"]
ANSWERS: tuple[str, ...] = ("yes", "no", "not_sure")
RecordMark = Literal["present", "missing", "not_applicable"]
RECORD_MARKS: tuple[str, ...] = ("present", "missing", "not_applicable")
# How many client records a review should cover.
RECORDS_MIN, RECORDS_MAX = 10, 20


def _check_question_text(text: str) -> str:
    if not text.endswith("?"):
        raise ValueError("a question must end with '?'")
    if len(text) > QUESTION_MAX_CHARS:
        raise ValueError(
            f"a question must be at most {QUESTION_MAX_CHARS} characters, this one has {len(text)}"
        )
    return text


def _check_unique(ids: list[str], what: str, where: str) -> None:
    seen: set[str] = set()
    for item_id in ids:
        if item_id in seen:
            raise ValueError(f"{what} id '{item_id}' is used twice{where}; give each its own id")
        seen.add(item_id)


class Question(Strict):
    """One trigger question of a self-assessment guide, answered yes / no / not sure."""

    id: str = Field(pattern=ID_PATTERN)
    text: str = Field(min_length=2)
    # Which answer points to a problem, however small.
    problem_when: Literal["yes", "no"]

    _text_ok = field_validator("text")(_check_question_text)

    def flags(self, answer: str | None) -> bool:
        """True when `answer` points to a problem ("not sure" and no answer do not)."""
        return answer == self.problem_when


class Guide(Strict):
    id: str = Field(pattern=ID_PATTERN)
    number: int = Field(ge=1, le=GUIDE_COUNT)
    group: Literal["client rights", "staff needs"]
    title: str = Field(min_length=1)
    intro: str = Field(min_length=1)
    questions: tuple[Question, ...] = Field(min_length=MIN_QUESTIONS)

    @model_validator(mode="after")
    def _question_ids_unique(self) -> Guide:
        _check_unique([q.id for q in self.questions], "question", f" in guide '{self.id}'")
        return self

    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)


class GuideSet(Strict):
    """The ten COPE self-assessment guides, in their published order."""

    schema_version: Literal[1] = 1
    guides: tuple[Guide, ...]

    @model_validator(mode="after")
    def _shape(self) -> GuideSet:
        found = len(self.guides)
        if found != GUIDE_COUNT:
            raise ValueError(
                f"'guides' must hold exactly {GUIDE_COUNT} [[guides]] tables, found {found}"
            )
        _check_unique([g.id for g in self.guides], "guide", "")
        numbers = [g.number for g in self.guides]
        if numbers != list(range(1, GUIDE_COUNT + 1)):
            raise ValueError(
                f"'number' of the guides must run 1 to {GUIDE_COUNT} in order, got {numbers}"
            )
        for g in self.guides:
            expected = CLIENT_RIGHTS if g.number <= CLIENT_RIGHTS_COUNT else STAFF_NEEDS
            if g.group != expected:
                raise ValueError(
                    f"guide {g.number} ('{g.id}') has group '{g.group}'; guides 1-7 are "
                    f"'{CLIENT_RIGHTS}' and 8-10 '{STAFF_NEEDS}'"
                )
        return self

    def guide(self, guide_id: str) -> Guide:
        for g in self.guides:
            if g.id == guide_id:
                return g
        raise KeyError(guide_id)


class InterviewQuestion(Strict):
    """A question for a client after their visit: yes / no / not sure, or open text."""

    id: str = Field(pattern=ID_PATTERN)
    kind: Literal["yes_no", "open"]
    text: str = Field(min_length=2)
    problem_when: Literal["yes", "no"] | None = None

    _text_ok = field_validator("text")(_check_question_text)

    @model_validator(mode="after")
    def _problem_fits_kind(self) -> InterviewQuestion:
        if self.kind == "yes_no" and self.problem_when is None:
            raise ValueError("a 'yes_no' question needs 'problem_when' = \"yes\" or \"no\"")
        if self.kind == "open" and self.problem_when is not None:
            raise ValueError("'problem_when' is only for questions of kind 'yes_no'")
        return self

    def flags(self, answer: str | None) -> bool:
        return self.problem_when is not None and answer == self.problem_when


class InterviewGuide(Strict):
    schema_version: Literal[1] = 1
    title: str = Field(min_length=1)
    intro: str = Field(min_length=1)
    questions: tuple[InterviewQuestion, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _ids_unique(self) -> InterviewGuide:
        _check_unique([q.id for q in self.questions], "question", "")
        return self


class ChecklistItem(Strict):
    id: str = Field(pattern=ID_PATTERN)
    text: str = Field(min_length=1)


class RecordReview(Strict):
    """Checklist applied to each of 10-20 client records; items marked present / missing / n.a."""

    schema_version: Literal[1] = 1
    title: str = Field(min_length=1)
    intro: str = Field(min_length=1)
    items: tuple[ChecklistItem, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _ids_unique(self) -> RecordReview:
        _check_unique([i.id for i in self.items], "item", "")
        return self


class CultureStage(Strict):
    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1)
    intro: str = Field(min_length=1)
    # Each item is planned later with who / what / by when.
    items: tuple[ChecklistItem, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _ids_unique(self) -> CultureStage:
        _check_unique([i.id for i in self.items], "item", f" in stage '{self.id}'")
        return self


class CultureOfService(Strict):
    schema_version: Literal[1] = 1
    # How change grown from inside differs from change ordered from above: the view opens on it.
    change: str = ""
    stages: tuple[CultureStage, ...]

    @model_validator(mode="after")
    def _three_stages(self) -> CultureOfService:
        ids = tuple(s.id for s in self.stages)
        if ids != STAGE_IDS:
            raise ValueError(
                f"'stages' must be exactly {list(STAGE_IDS)} in that order, got {list(ids)}"
            )
        return self

    def stage(self, stage_id: str) -> CultureStage:
        for s in self.stages:
            if s.id == stage_id:
                return s
        raise KeyError(stage_id)


def load_guides(path: Path | None = None) -> GuideSet:
    """The ten self-assessment guides from `path`, or the shipped file."""
    return content_files.load(path, GuideSet, GUIDES_FILE)


def load_interview(path: Path | None = None) -> InterviewGuide:
    """The client interview guide from `path`, or the shipped file."""
    return content_files.load(path, InterviewGuide, INTERVIEW_FILE)


def load_record_review(path: Path | None = None) -> RecordReview:
    """The client record review checklist from `path`, or the shipped file."""
    return content_files.load(path, RecordReview, RECORD_REVIEW_FILE)


def load_culture(path: Path | None = None) -> CultureOfService:
    """The culture-of-service stages from `path`, or the shipped file."""
    return content_files.load(path, CultureOfService, CULTURE_FILE)
