"""The sync state's whole file is written a slice of records at a time (so the app's
typing is not held up by one long serialisation): the bytes are those of one call."""

from __future__ import annotations

import orjson
import pytest

from cope_tui.sync import state


class Held:
    def __init__(self, count: int):
        self.meta = {"since": "12-abc", "replica": "r1", "refused": {}}
        self.records = {f"rid{i}": {"t": "meetings", "id": f"m{i}", "body": {"doc": {"n": i}}} for i in range(count)}


@pytest.mark.parametrize("count", [0, 1, state.SLICE - 1, state.SLICE, state.SLICE + 1, 2 * state.SLICE + 7])
def test_the_sliced_state_is_the_same_json(count: int) -> None:
    held = Held(count)
    assert state.SyncState._whole(held) == orjson.dumps({"meta": held.meta, "records": held.records})


def test_a_compacted_state_opens_with_every_record(tmp_path) -> None:
    from cope_tui.store import crypto

    db = tmp_path / "ann.json"
    db.write_text("{}")
    first = state.SyncState(db, crypto.PlainCodec())
    first.commit({f"rid{i}": {"t": "clients", "id": f"c{i}"} for i in range(state.SLICE * 2 + 3)}, {"since": "9"})
    first.compact()
    first.close()
    again = state.SyncState(db, crypto.PlainCodec())
    assert len(again.records) == state.SLICE * 2 + 3 and again.meta["since"] == "9"
    again.close()
