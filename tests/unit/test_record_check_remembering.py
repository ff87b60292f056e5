"""`doctor` checks the DB and then each backup point as the DB it would restore; the
points share nearly every record with the DB, byte for byte. Within one run a record
found sound is not validated again (37 s at 10,000 meetings and ten points, most of it
the same validation over and over), but anything that differs is checked in full."""

from __future__ import annotations

import pytest

from cope_tui.meetings.models import Client
from cope_tui.store import record_check
from cope_tui.store.record_check import record_problem, remembering


class Counting:
    def __init__(self, real):
        self.real, self.calls = real, 0

    def validate_json(self, *args, **kwargs):
        self.calls += 1
        return self.real.validate_json(*args, **kwargs)


@pytest.fixture
def validator(monkeypatch) -> Counting:
    counting = Counting(record_check._validator("clients"))
    monkeypatch.setitem(record_check._validators, "clients", counting)
    return counting


def test_a_sound_record_is_validated_once_per_run(validator):
    doc = Client(code="C-1").model_dump(mode="json")
    with remembering():
        for _ in range(3):
            assert record_problem("clients", doc["id"], doc) is None
    assert validator.calls == 1
    assert record_problem("clients", doc["id"], doc) is None  # after the run: checked again
    assert validator.calls == 2


def test_a_changed_or_bad_record_is_always_checked(validator):
    doc = Client(code="C-1").model_dump(mode="json")
    bad = {**doc, "created": "not a date"}
    with remembering():
        assert record_problem("clients", doc["id"], doc) is None
        for _ in range(2):  # the same key, other bytes; and a bad record is never taken as sound
            assert record_problem("clients", doc["id"], bad) is not None
        other = {**doc, "code": "C-2"}
        assert record_problem("clients", doc["id"], other) is None
    assert validator.calls == 4
