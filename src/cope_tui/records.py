"""The leaf every record builds on: the pydantic base, ids, local time, typed dates."""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict

CellValue = str | int | bool | None


def new_id() -> str:
    """Short random id; stable across saves and safe to show and type."""
    return secrets.token_hex(8)  # 64 bits: no collision in any realistic record count


def now() -> datetime:
    """Local wall-clock time, naive: what the facilitator sees on the wall."""
    return datetime.now().replace(microsecond=0)


class Model(BaseModel):
    model_config = ConfigDict(extra="ignore", validate_assignment=False)


def dump(model: BaseModel) -> dict[str, Any]:
    """JSON-ready dict of a record, as stored in the DB."""
    return model.model_dump(mode="json")


_REL_RE = re.compile(r"^\+(\d{1,4})\s*([dw]?)$")


def parse_date(text: str, *, today: date | None = None) -> date:
    """Parse a date typed live: ISO, 'today', 'tomorrow' or '+N' days ('+2w' weeks)."""
    today = today or date.today()
    value = text.strip().lower()
    if value in ("today", "t"):
        return today
    if value == "tomorrow":
        return today + timedelta(days=1)
    match = _REL_RE.match(value)
    if match:
        n = int(match.group(1))
        return today + timedelta(weeks=n) if match.group(2) == "w" else today + timedelta(days=n)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"'{text.strip()}' is not a date. Type YYYY-MM-DD (e.g. {today.isoformat()}), "
            "'today', 'tomorrow', +N for N days ahead or +Nw for N weeks."
        ) from None
