"""A team sync's pull writes thousands of records in batches. The journal is folded into
the file once, after the last batch, not each time it passes its threshold on the way
(each fold rewrites the whole file and keeps a backup point, on a thread that competes
with the app's typing); and every batch is durable as soon as its write returns."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

from cope_tui.meetings.models import Client
from cope_tui.store.batch import ANY
from cope_tui.store.store import Store

THRESHOLD = 4096  # bytes of journal that start a fold; each batch below writes far more


def batch(start: int, count: int = 40) -> list[tuple[str, str, dict, object]]:
    docs = [Client(code=f"C-{n:05d}", note="a note " * 20).model_dump(mode="json") for n in range(start, start + count)]
    return [("clients", doc["id"], doc, ANY) for doc in docs]


def test_batches_in_a_bulk_write_are_folded_in_once_after_the_last(tmp_path, monkeypatch) -> None:
    store = Store(tmp_path / "db.json", compact_bytes=THRESHOLD)
    folds: list[int] = []  # batches written when each fold started
    written = [0]
    real = Store._compact_in_background

    def watched(self: Store) -> None:
        folds.append(written[0])
        real(self)

    monkeypatch.setattr(Store, "_compact_in_background", watched)
    with store.bulk_writes():
        for n in range(6):
            assert store.write_many(batch(n * 40)) == [None] * 40
            written[0] += 1
        assert store.journal.size > 6 * THRESHOLD  # every batch kept in the journal meanwhile
    store.wait_for_compaction()
    assert folds == [6]
    assert not store.journal.pending()  # folded into the file
    store.close()
    again = Store(tmp_path / "db.json", read_only=True)
    assert len(again.raw("clients")) == 240
    again.close()


def test_outside_a_bulk_write_a_batch_past_the_threshold_is_folded_in_as_before(tmp_path) -> None:
    store = Store(tmp_path / "db.json", compact_bytes=THRESHOLD)
    store.write_many(batch(0))
    store.wait_for_compaction()
    assert store.journal.size == 0  # folded in by the background compaction
    store.close()


CHILD = textwrap.dedent(
    """
    import time
    from cope_tui.meetings.models import Client
    from cope_tui.store.batch import ANY
    from cope_tui.store.store import Store

    store = Store({db!r}, compact_bytes={threshold})
    with store.bulk_writes():
        for n in range(5):
            docs = [Client(code=f"C-{{n}}-{{k:03d}}", note="a note " * 20).model_dump(mode="json") for k in range(40)]
            store.write_many([("clients", doc["id"], doc, ANY) for doc in docs])
            print(n + 1, flush=True)
        time.sleep(120)  # killed here, inside the bulk write, before any fold
    """
)


def test_a_bulk_write_killed_before_its_fold_loses_no_batch(tmp_path) -> None:
    db = tmp_path / "db.json"
    code = CHILD.format(db=str(db), threshold=THRESHOLD)
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        said = [child.stdout.readline().strip() for _ in range(5)]  # each once its batch's write returned
        assert said == ["1", "2", "3", "4", "5"], child.stderr.read()
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
        child.stdout.close()
        child.stderr.close()
    again = Store(db, read_only=True)
    assert len(again.raw("clients")) == 200
    again.close()
