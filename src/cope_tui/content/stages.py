"""The six stages of the helping process: names, purposes and the questions each puts in a
meeting, from `content/stages.toml`, validated on load like the meeting guide.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from . import files as content_files
from .files import Strict

STAGES = 6  # the helping process has six stages, numbered 1-6
PROMPT_MAX = 120


class Stage(Strict):
    number: int = Field(ge=1, le=STAGES)
    name: str = Field(min_length=1, max_length=16)
    purpose: str = Field(min_length=1, max_length=160)
    prompts: tuple[str, ...] = Field(min_length=3, max_length=5)

    @field_validator("prompts")
    @classmethod
    def _prompts_short(cls, prompts: tuple[str, ...]) -> tuple[str, ...]:
        for prompt in prompts:
            if not prompt.strip():
                raise ValueError("a prompt is empty; write the question or remove the line")
            if len(prompt) > PROMPT_MAX:
                raise ValueError(f"keep each prompt to {PROMPT_MAX} characters; this one has {len(prompt)}")
        return prompts

    @property
    def label(self) -> str:
        return f"Stage {self.number}: {self.name}"


class StageGuide(Strict):
    """The six stages in order, and which meeting steps show their prompts."""

    schema_version: Literal[1] = 1
    show_in: tuple[str, ...] = ("opening",)
    stages: tuple[Stage, ...]

    @model_validator(mode="after")
    def _six_in_order(self) -> StageGuide:
        numbers = [s.number for s in self.stages]
        if numbers != list(range(1, STAGES + 1)):
            raise ValueError(
                f"the stages must be numbered 1 to {STAGES}, once each and in order; found {numbers}"
            )
        return self

    def stage(self, number: int) -> Stage:
        return self.stages[number - 1]


def parse_stages(text: str, name: str) -> StageGuide:
    """Parse and validate the stages file; errors name the file, the field and the fix."""
    return content_files.parse(text, name, StageGuide)


def load_stages(path: Path | None = None) -> StageGuide:
    """The stages from `path`, or the ones shipped with the package (read once)."""
    return content_files.load(path, StageGuide, "stages.toml")
