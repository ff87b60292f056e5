"""The client's name or code: the message for one too long names both (a name is allowed)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from cope_tui.meetings.models import CODE_MAX, Client


def test_a_name_too_long_is_refused_with_a_message_that_names_it() -> None:
    with pytest.raises(ValidationError, match=f"Keep the name or code to {CODE_MAX} characters or fewer"):
        Client(code="Amina " * 11)
    assert Client(code="x" * CODE_MAX).code == "x" * CODE_MAX
