"""A record crosses a sync serialised once. A pull makes each record's canonical form for
its hash, and the DB's record check, the DB's journal and the sync state's journal take
those bytes as they are; a push's canonical form (made for the revision) is also what
its state line holds. A first pull of 10,000 meetings serialised 90 MB three more times
before, a first push once more: about a tenth of either's time."""

from __future__ import annotations

from collections import Counter
from typing import Any

import orjson
import pytest

from cope_tui.content.meeting_guide import load_meeting_guide
from cope_tui.demo.writer import write_demo
from cope_tui.sync.body import opened
from helpers.sync import members, remote, team_key  # noqa: F401  (fixtures)


def _meetings_in(value: Any, found: list[str]) -> None:
    """The ids of the meetings (whole records) inside a value about to be serialised."""
    if isinstance(value, dict):
        if isinstance(value.get("id"), str) and "steps" in value and "client_id" in value:
            found.append(value["id"])
            return
        for item in value.values():
            _meetings_in(item, found)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _meetings_in(item, found)


@pytest.fixture
def serialised(monkeypatch: pytest.MonkeyPatch) -> Counter:
    """How many times each meeting is serialised from now on (orjson.dumps is looked up
    on the module at each call, so every caller is seen)."""
    real, seen = orjson.dumps, Counter()

    def counting(value: Any, *args: Any, **kwargs: Any) -> bytes:
        found: list[str] = []
        _meetings_in(value, found)
        seen.update(found)
        return real(value, *args, **kwargs)

    monkeypatch.setattr(orjson, "dumps", counting)
    return seen


def test_a_first_push_and_a_first_pull_serialise_each_meeting_once(members, serialised: Counter) -> None:
    ann, bea = members("Ann"), members("Bea")
    write_demo(ann.store, load_meeting_guide(), clients=3, meetings=12, seed=21)
    ids = sorted(m["id"] for m in ann.store.raw("meetings"))
    serialised.clear()
    assert ann.engine.sync().sent >= len(ids)
    assert {i: serialised[i] for i in ids} == {i: 1 for i in ids}  # the revision's canonical form
    serialised.clear()
    assert bea.engine.sync().received >= len(ids)
    assert {i: serialised[i] for i in ids} == {i: 1 for i in ids}  # the hash's canonical form
    assert sorted(m["id"] for m in bea.store.raw("meetings")) == ids
    # What was written as it came reads back the same, in the DB and in the state.
    bea.close()
    again = members("Bea")
    assert {m["id"]: m for m in again.store.raw("meetings")} == {m["id"]: m for m in ann.store.raw("meetings")}
    rids = {ann.engine.team.remote_id("meetings", i): i for i in ids}
    for rid, meeting_id in rids.items():
        assert opened(again.engine.state.records[rid]["body"])["doc"] == ann.store.get("meetings", meeting_id)
    assert again.engine.sync().received == 0
