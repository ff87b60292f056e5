"""The app's look back at its start (sync/prepared.py): made without the team key, then
taken over by the first sync, which reads the state and looks at the records no more."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from cope_tui.session import create_client
from cope_tui.sync.engine import SyncEngine
from cope_tui.sync.errors import Cancelled
from cope_tui.sync.prepared import prepare
from cope_tui.sync.seal import create_team
from cope_tui.store.store import Store
from cope_tui.sync.couch import Couch
from cope_tui.sync.runner import Runner
from helpers.couch_server import couch_db, couch_server, free_port  # noqa: F401  (fixtures)
from helpers.sync import APP_PHRASE, Member, login_only
from helpers.sync import remote, team_key  # noqa: F401  (fixtures)


def nothing() -> None:
    return None


def looked(store):
    """The look back as the app makes it: the state read, then every record looked at."""
    prepared = prepare(store)
    prepared.look(nothing, threading.Event())
    return prepared


@pytest.fixture
def synced(tmp_path, remote, team_key):
    """Ann's DB after a sync of three clients; then one changed, and her engine closed."""
    ann = Member(tmp_path / "ann.json", remote, team_key, "Ann")
    clients = [create_client(ann.store, f"C-{n}") for n in range(3)]
    ann.engine.sync()
    ann.engine.close()
    changed = ann.store.client(clients[0].id)
    changed.note = "changed after the sync"
    ann.store.put_client(changed)
    yield ann, clients
    ann.couch.close()
    ann.store.close()


def test_the_look_finds_what_changed_since_the_last_sync_and_then_what_is_saved(synced) -> None:
    ann, clients = synced
    prepared = looked(ann.store)
    try:
        assert prepared.last_sync and prepared.status().conflicts == 0
        assert prepared.local.waiting == 1
        create_client(ann.store, "C-new")
        assert prepared.local.waiting == 2
    finally:
        prepared.close()


def test_the_first_sync_takes_the_look_over_and_sends_what_it_found(synced, team_key) -> None:
    ann, clients = synced
    prepared = looked(ann.store)
    engine = SyncEngine(ann.store, ann.couch, team_key, "Ann", prepared=prepared)
    try:
        assert engine.state is prepared.state and engine.local is prepared.local
        assert engine.sync().sent == 1
    finally:
        engine.close()


def test_after_a_new_team_passphrase_every_record_is_looked_at_again(synced, team_key) -> None:
    """The state starts over under a key that replaces the one it knew: what the look
    compared against is gone, so the engine looks at every record afresh."""
    ann, clients = synced
    prepared = looked(ann.store)
    new_team = create_team("a new passphrase for the team")
    new_team.doc = replace(new_team.doc, replaces=(team_key.doc.fingerprint,))  # as rekey.py writes it
    engine = SyncEngine(ann.store, ann.couch, new_team, "Ann", prepared=prepared)
    try:
        assert engine.state is not prepared.state
        assert engine.local is not prepared.local
        everything = engine.local.take_changed(lambda: [], None)
        assert {key for key in everything if key[0] == "clients"} == {("clients", c.id) for c in clients}
    finally:
        engine.close()


def test_a_look_stops_when_the_app_closes(synced) -> None:
    ann, _clients = synced
    closing = threading.Event()
    closing.set()
    prepared = prepare(ann.store)
    assert prepared.status().waiting == 0  # not counted yet
    with pytest.raises(Cancelled):
        prepared.look(nothing, closing)
    prepared.close()
    create_client(ann.store, "C-after")  # no listener of the stopped look is left behind
    assert ann.store._listeners == (), ann.store._listeners


def test_an_engine_closed_hears_no_more_saves(synced, team_key) -> None:
    """Each engine listens to the DB's saves; the app makes a new one after every failed
    sync (offline), so one closed must stop listening, or they pile up for the session."""
    ann, _clients = synced
    engine = SyncEngine(ann.store, ann.couch, team_key, "Ann")
    engine.close()
    create_client(ann.store, "C-later")
    assert engine.local.waiting == 0
    assert ann.store._listeners == ()


def test_offline_the_look_stays_and_what_waits_goes_with_the_next_sync(tmp_path, monkeypatch, remote) -> None:
    """A sync cut off by the network hands its state and look on to the next try: the
    header still counts what waits (taken to send, or saved since), and the next sync,
    once the server answers, sends all of it without reading the state again."""
    login_only(monkeypatch, remote)
    store = Store(tmp_path / "ann.json")
    runner = Runner(store, remote.url, "Ann", team_passphrase=APP_PHRASE)
    try:
        create_client(store, "C-1")
        assert runner.run().kind == "synced"
        for code in ("C-2", "C-3"):
            create_client(store, code)
        state = runner.engine.state
        runner.engine.couch.close()
        runner.engine.couch = Couch(f"http://127.0.0.1:{free_port()}/gone")  # the network is down
        assert runner.run().kind == "offline"
        assert runner.engine is None and runner.status().waiting == 2
        create_client(store, "C-4")
        assert runner.status().waiting == 3
        outcome = runner.run()
        assert outcome.kind == "synced" and outcome.report.sent == 3
        assert runner.engine.state is state and runner.status().waiting == 0
    finally:
        runner.close()
        store.close()


def test_the_app_closing_while_the_header_is_told_does_not_hang(synced, remote) -> None:
    """The look back tells the UI thread once the state is read, and waits for it; the
    UI thread may be closing the runner just then. Neither may wait for the other."""
    ann, _clients = synced
    runner = Runner(ann.store, remote.url, "Ann", team_passphrase=APP_PHRASE)
    closed, in_time = threading.Event(), []

    def ui_thread_closing() -> None:  # call_from_thread: waits until the UI thread is through
        closer = threading.Thread(target=lambda: (runner.close(), closed.set()))
        closer.start()
        closer.join(timeout=10)  # a liveness bound, not a speed target: it takes milliseconds
        in_time.append(closed.is_set())

    worker = threading.Thread(target=runner.look_back, args=(ui_thread_closing,))
    worker.start()
    worker.join(timeout=60)
    assert in_time == [True], "the closing waited for the look back, which waited for it"
    assert not worker.is_alive()
    assert runner.status() is None or runner._prepared is None
    assert ann.store._listeners == ()


def test_overlapping_short_switch_intervals_give_back_the_first_one() -> None:
    """The look back and a sync may overlap; whichever ends last gives back the interval
    set before the first began (each restoring its own left it short for ever)."""
    import sys

    from cope_tui.sync.runner import SWITCH_SECONDS, short_switches

    before = sys.getswitchinterval()
    sys.setswitchinterval(0.005)
    try:
        look = short_switches()
        look.__enter__()
        with short_switches():
            assert sys.getswitchinterval() == pytest.approx(SWITCH_SECONDS)
            look.__exit__(None, None, None)  # the look back ends first
            assert sys.getswitchinterval() == pytest.approx(SWITCH_SECONDS)
        assert sys.getswitchinterval() == pytest.approx(0.005)
    finally:
        sys.setswitchinterval(before)
