"""Reading the TOML content files that ship in `content/` (or a user's copy of one).

One place for what every content file shares: TOML syntax errors, pydantic validation
errors turned into a message that names the file, the field and the fix, and the
shipped files read once per process.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from ..errors import ContentError

M = TypeVar("M", bound=BaseModel)


class Strict(BaseModel):
    """The base of every content model: an unknown key is a typo to report, not to skip,
    and loaded content never changes."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def describe(error: ValidationError, name: str) -> str:
    lines = [f"Content file '{name}' is not valid:"]
    for err in error.errors():
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        lines.append(f"  - at {where}: {err['msg']}")
    lines.append(f"Fix these fields in '{name}' (or reinstall cope-tui to restore the shipped file).")
    return "\n".join(lines)


def parse(text: str, name: str, model: type[M]) -> M:
    """Parse and validate one content file's text; a ContentError says what to fix."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ContentError(
            f"Content file '{name}' is not valid TOML ({exc}). "
            "Fix the syntax at that line, or reinstall cope-tui to restore the shipped file."
        ) from exc
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise ContentError(describe(exc, name)) from exc


def load(path: Path | None, model: type[M], shipped: str) -> M:
    """`path` if given, else the file `shipped` from the package's content folder."""
    if path is None:
        return _shipped(shipped, model)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ContentError(f"Cannot read content file '{path}': {exc.strerror}.") from exc
    return parse(text, str(path), model)


@cache
def _shipped(filename: str, model: type[M]) -> M:
    ref = resources.files("cope_tui").joinpath("content", filename)
    return parse(ref.read_text(encoding="utf-8"), f"cope_tui/content/{filename}", model)
