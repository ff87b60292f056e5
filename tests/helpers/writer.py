"""Child processes for the durability tests, run as `python tests/helpers/writer.py MODE ...`
(tests import SCRIPT, the path to run).

Each mode is a real program on real files; the test process only starts, kills and
checks it. Nothing here replaces storage code: faults are injected below it, at the
level of the operating system (a file-size limit, /dev/full, a read-only descriptor,
dropped capabilities), the way a full disk or a broken mount would show up.

  torture DB SEED COMPACT_BYTES   save forever (new records, updates, small and ~2 KB
                                  docs); print "P t id digest" before each put and
                                  "S t id digest" after it returns; wait for "go" on
                                  stdin before opening the DB.
  saver DB FAULT                  a Saver over a Store; inject FAULT (fsize, fsize-exact,
                                  devfull, badfd), type until a write fails, check what the
                                  user is told, lift the fault, check the retry; JSON out.
  compact-full DB                 disk full while compaction writes the DB; JSON out.
  nowrite DIR                     open DBs in a folder nothing can be created in; JSON out.
  privacy MARKER                  a Session saves notes holding MARKER in the default DB
                                  (XDG_DATA_HOME); waits on stdin between phases.
"""

from __future__ import annotations

import ctypes
import fcntl
import hashlib
import io
import json
import os
import random
import resource
import signal
import sys
import time
from contextlib import redirect_stderr
from pathlib import Path
from typing import Any

import orjson

from cope_tui.store.autosave import Saver, SaveStatus
from cope_tui.meetings.models import Client, Meeting, MeetingKind
from cope_tui.records import dump
from cope_tui.store.store import Store

if __package__:  # imported by a test for SCRIPT and digest
    from .polling import wait_for
else:  # run as a script: this folder is sys.path[0]
    from polling import wait_for

SCRIPT = Path(__file__).resolve()
MAX_RECORDS = 400  # per table: keeps compactions cheap enough for hundreds of rounds


def digest(doc: dict[str, Any]) -> str:
    """Same function in the test: a stored doc must hash exactly as it was put."""
    return hashlib.sha1(orjson.dumps(doc, option=orjson.OPT_SORT_KEYS)).hexdigest()[:20]


def say(line: str) -> None:
    """One unbuffered write: what reached the pipe before a kill -9 is what was reported."""
    data = (line + "\n").encode()
    while data:
        data = data[os.write(1, data) :]


WORDS = ["the", "client", "said", '"no"', "today;", "Ünïcødé", "✓", "line\nbreak", "tab\t", "back\\slash", "{json}", "[list]", "💬"]


def text(rng: random.Random, size: int) -> str:
    out: list[str] = []
    length = 0
    while length < size:
        word = rng.choice(WORDS)
        out.append(word)
        length += len(word) + 1
    return " ".join(out)[:size]


# ---- torture -------------------------------------------------------------------------------


def torture(db: str, seed: int, compact_bytes: int) -> None:
    os.umask(0o022)
    rng = random.Random(seed)
    say("ready")
    if sys.stdin.readline().strip() != "go":
        return
    # An encrypted DB (tests/test_crypto.py) is opened with the passphrase from the environment.
    store = Store(Path(db), compact_bytes=compact_bytes, passphrase=os.environ.get("COPE_TUI_PASSPHRASE"))
    ids = {
        "clients": [c.id for c in store.clients()],
        "meetings": [m.id for m in store.meetings()],
    }
    n = 0
    while True:
        n += 1
        table = rng.choice(("clients", "meetings"))
        known = ids[table]
        if not known or (len(known) < MAX_RECORDS and rng.random() < 0.35):
            doc_id = f"{seed:x}-{n}"
            known.append(doc_id)
        else:
            doc_id = rng.choice(known)
        size = rng.randint(1800, 2300) if rng.random() < 0.3 else rng.randint(0, 200)
        body = f"rev {seed}:{n} " + text(rng, size)
        if table == "clients":
            client = Client(id=doc_id, code=f"C-{doc_id}", note=body, significant_others=[text(rng, 20)])
            doc = dump(client)
            say(f"P clients {doc_id} {digest(doc)}")
            if rng.random() < 0.5:
                store.put_client(client)
            else:
                store.put("clients", doc_id, doc)
        else:
            meeting = Meeting(id=doc_id, client_id=f"c-{doc_id}", kind=MeetingKind.FIRST)
            meeting.step("opening").notes = body
            meeting.active_seconds = n
            doc = dump(meeting)
            say(f"P meetings {doc_id} {digest(doc)}")
            if rng.random() < 0.5:
                store.put_meeting(meeting)
            else:
                store.put_meeting_doc(doc_id, doc)
        say(f"S {table} {doc_id} {digest(doc)}")


# ---- faults below the store -----------------------------------------------------------------


def journal_fds(db: Path) -> list[int]:
    """The descriptors this process holds open on the DB's journal (whatever the store calls them)."""
    found = []
    prefix = str(db) + ".journal"
    for name in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{name}")
        except OSError:
            continue
        if target.startswith(prefix) and not target.endswith(" (deleted)"):
            found.append(int(name))
    return found


def journal_lines_ok(db: Path) -> dict[str, Any]:
    """Every journal file ends on a whole line and every line is JSON: nothing torn is left."""
    report: dict[str, Any] = {"files": {}, "ok": True}
    for path in sorted(db.parent.glob(db.name + ".journal*")):
        raw = path.read_bytes()
        bad = []
        for number, line in enumerate(raw.split(b"\n")[:-1], 1):
            try:
                orjson.loads(line)
            except orjson.JSONDecodeError:
                bad.append(number)
        torn = bool(raw) and not raw.endswith(b"\n")
        report["files"][path.name] = {"bytes": len(raw), "bad_lines": bad, "torn_tail": torn}
        if bad or torn:
            report["ok"] = False
    return report


class Fault:
    """Make the journal unwritable for a while, then writable again."""

    def __init__(self, kind: str, db: Path):
        self.kind, self.db = kind, db.absolute()
        self.saved: list[tuple[int, int, tuple[int, int, int]]] = []
        self.soft, self.hard = resource.getrlimit(resource.RLIMIT_FSIZE)
        self.limit: int | None = None

    def start(self) -> None:
        fds = journal_fds(self.db)
        if not fds:
            raise SystemExit("no open journal descriptor found")
        if self.kind in ("fsize", "fsize-exact"):
            size = max(os.fstat(fd).st_size for fd in fds)
            # fsize: the next line is cut short by the limit (a torn line the store must drop);
            # fsize-exact: the very first byte is refused.
            self.limit = size + 3000 if self.kind == "fsize" else size
            resource.setrlimit(resource.RLIMIT_FSIZE, (self.limit, self.hard))
            return
        for fd in fds:
            keep = os.dup(fd)
            if self.kind == "devfull":  # the kernel answers every write with ENOSPC
                bad = os.open("/dev/full", os.O_WRONLY)
            elif self.kind == "badfd":  # a journal that cannot be written (EBADF)
                bad = os.open(os.readlink(f"/proc/self/fd/{fd}"), os.O_RDONLY)
            else:
                raise SystemExit(f"unknown fault {self.kind}")
            os.dup2(bad, fd)
            st = os.fstat(bad)
            os.close(bad)
            self.saved.append((fd, keep, (st.st_dev, st.st_ino, os.O_RDONLY if self.kind == "badfd" else os.O_WRONLY)))

    def stop(self) -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (self.hard, self.hard))
        for fd, keep, (dev, ino, access) in self.saved:
            try:  # put the journal back only where our stand-in still sits
                st = os.fstat(fd)
                ours = (st.st_dev, st.st_ino) == (dev, ino) and fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == access
            except OSError:
                ours = False
            if ours:
                os.dup2(keep, fd)
            os.close(keep)
        self.saved = []


def saver_scenario(db_arg: str, kind: str) -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # past the limit: EFBIG, not death
    db = Path(db_arg)
    out: dict[str, Any] = {"kind": kind}
    statuses: list[SaveStatus] = []
    store = Store(db)
    saver = Saver(delay=0.01, retry=0.05, on_status=statuses.append)
    clients = [Client(code="C-0")]
    meeting = Meeting(client_id=clients[0].id, kind=MeetingKind.FIRST)
    notes = ""

    submitted = {"n": 0}
    written: set[int] = set()

    def submit(key: str, put) -> None:
        submitted["n"] += 1
        version = submitted["n"]

        def write() -> None:
            put()
            written.add(version)

        saver.submit(key, write)

    def submit_meeting() -> None:
        doc = dump(meeting)
        submit(f"meeting:{meeting.id}", lambda: store.put_meeting_doc(meeting.id, doc))

    def submit_client(client: Client) -> None:
        doc = dump(client)
        submit(f"client:{client.id}", lambda: store.put("clients", client.id, doc))

    def settled() -> bool:
        """The newest submission is on disk, or the saver has said why not."""
        return submitted["n"] in written or bool(saver.error)

    submit_client(clients[0])
    submit_meeting()
    out["saved_before_fault"] = wait_for(settled, fail=False) and not saver.error

    fault = Fault(kind, db)
    fault.start()
    out["limit"] = fault.limit
    failed_at = None
    for i in range(400):  # type, a sentence at a time, until the disk says no
        notes += f"sentence {i}: " + "words typed by the facilitator " * 4 + "\n"
        meeting.step("opening").notes = notes
        submit_meeting()
        if i % 3 == 0:
            clients.append(Client(code=f"C-{i + 1}", note="n" * 200))
            submit_client(clients[-1])
        wait_for(settled, timeout=5, fail=False)
        if saver.error:
            failed_at = i
            break
    out["failed_at"] = failed_at
    out["error"] = saver.error
    out["pending_at_failure"] = saver.pending
    out["status_errors"] = sorted({s.error for s in statuses if s.error})
    out["status_pending_with_error"] = max((s.pending for s in statuses if s.error), default=0)
    out["journal"] = journal_lines_ok(db)
    # Typing goes on while the disk is full; the saver keeps retrying the newest text.
    for j in range(3):
        notes += f"typed while failing {j}\n"
        meeting.step("opening").notes = notes
        submit_meeting()
        time.sleep(0.05)
    errors_before = sum(1 for s in statuses if s.error)
    # The test wants two retries or more: wait for them (or the deadline), then count.
    wait_for(lambda: sum(1 for s in statuses if s.error) - errors_before >= 2, timeout=10, fail=False)
    out["retries_while_failing"] = sum(1 for s in statuses if s.error) - errors_before
    out["still_pending"] = saver.pending
    out["still_error"] = saver.error
    out["journal_while_failing"] = journal_lines_ok(db)

    fault.stop()
    out["recovered"] = wait_for(lambda: settled() and not saver.error and saver.pending == 0, fail=False)
    out["last_status"] = {"pending": statuses[-1].pending, "error": statuses[-1].error,
                          "saved": statuses[-1].saved_at is not None} if statuses else None
    out["saver_closed_ok"] = saver.close()
    store.close()
    out["journal_after"] = journal_lines_ok(db)

    again = Store(db)
    stored = again.meeting(meeting.id)
    out["notes_on_disk_match"] = stored is not None and stored.step("opening").notes == notes
    out["notes_len"] = len(notes)
    have = {c.id: c.code for c in again.clients()}
    out["missing_clients"] = [c.code for c in clients if have.get(c.id) != c.code]
    out["clients"] = len(clients)
    again.close()
    print(json.dumps(out))


def put_later(store: Store, client: Client):
    doc = dump(client)
    return lambda: store.put("clients", client.id, doc)


def compact_full(db_arg: str) -> None:
    """The journal still fits but the compacted DB does not: nothing may be lost or left over."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    db = Path(db_arg)
    out: dict[str, Any] = {}
    store = Store(db)
    expected: dict[str, str] = {}
    for i in range(60):  # a DB of ~130 KB, compacted on close
        client = Client(code=f"C-{i}", note=f"{i} " + "x" * 2000)
        store.put_client(client)
        expected[client.id] = client.note
    store.close()
    out["db_bytes"] = db.stat().st_size
    store = Store(db, compact_bytes=4096)
    hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]
    resource.setrlimit(resource.RLIMIT_FSIZE, (32 * 1024, hard))  # journal fits, the DB does not
    statuses: list[SaveStatus] = []
    saver = Saver(delay=0.01, retry=0.05, on_status=statuses.append)
    for i in range(40):
        client = Client(code=f"N-{i}", note=f"new {i} " + "y" * 300)
        expected[client.id] = client.note
        saver.submit(f"client:{client.id}", put_later(store, client))
        wait_for(lambda: saver.pending == 0 or bool(saver.error), timeout=5, fail=False)
    time.sleep(0.3)
    out["errors"] = sorted({s.error for s in statuses if s.error})
    out["journal"] = journal_lines_ok(db)
    resource.setrlimit(resource.RLIMIT_FSIZE, (hard, hard))
    out["recovered"] = wait_for(lambda: saver.pending == 0 and not saver.error, fail=False)
    out["saver_closed_ok"] = saver.close()
    store.close()
    again = Store(db)
    have = {c.id: c.note for c in again.clients()}
    again.close()
    out["missing"] = [k for k, v in expected.items() if have.get(k) != v]
    out["files"] = sorted(p.name for p in db.parent.iterdir())
    print(json.dumps(out))


# ---- a folder nothing can be created in ------------------------------------------------------


def drop_root_powers() -> None:
    """As root, give up overriding file permissions, so modes bind as for any user."""
    if os.geteuid() != 0:
        return

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]

    libc = ctypes.CDLL(None, use_errno=True)
    header = Header(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
    data = (Data * 2)()
    if libc.capget(ctypes.byref(header), data) != 0:
        return
    drop = (1 << 1) | (1 << 2) | (1 << 3)  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER
    data[0].effective &= ~drop & 0xFFFFFFFF
    data[0].permitted &= ~drop & 0xFFFFFFFF
    libc.capset(ctypes.byref(header), data)


def nowrite(folder_arg: str) -> None:
    """FOLDER/new/ is empty, FOLDER/old/ holds only a DB file, FOLDER/used/ a DB with its
    lock and journal; all three are 0500, and nothing can be created in them."""
    from cope_tui.cli import main as cli

    folder = Path(folder_arg)
    drop_root_powers()
    out: dict[str, Any] = {}
    probe = folder / "old" / "probe"
    try:
        probe.touch()
        probe.unlink()
        out["skip"] = "this process can still create files in a 0500 folder"
        print(json.dumps(out))
        return
    except OSError:
        pass
    for name in ("old", "new"):
        db = folder / name / "sub" / "cope.json" if name == "new" else folder / name / "cope.json"
        before = sorted(str(p) for p in folder.rglob("*"))
        try:
            store = Store(db)
        except Exception as exc:
            out[f"{name}_open"] = f"{type(exc).__name__}: {exc}"
            err = io.StringIO()
            with redirect_stderr(err):  # only now is it safe: the app cannot start
                out[f"{name}_cli_code"] = cli.main(["meet", "X", "--db", str(db)])
            out[f"{name}_cli_stderr"] = err.getvalue()
        else:
            out[f"{name}_open"] = "opened"
            try:
                store.close()
            except Exception as exc:
                out[f"{name}_close"] = f"{type(exc).__name__}: {exc}"
        out[f"{name}_created"] = sorted({str(p) for p in folder.rglob("*")} - set(before))
    # A folder made read-only after use (lock and journal already there): saves that
    # return must be in the journal, whatever happens when the journal is folded in.
    try:
        store = Store(folder / "used" / "cope.json")
    except Exception as exc:
        out["used_open"] = f"{type(exc).__name__}: {exc}"
        out["used_put"] = "not opened"
        out["used_put_error"] = out["used_open"]
    else:
        out["used_open"] = "opened"
        try:
            store.put_client(Client(code="C-LATE"))
            out["used_put"] = "saved"
        except Exception as exc:
            out["used_put"] = "refused"
            out["used_put_error"] = f"{type(exc).__name__}: {exc}"
        try:
            store.close()
            out["used_close"] = "closed"
        except Exception as exc:
            out["used_close"] = f"{type(exc).__name__}: {exc}"
    try:
        viewer = Store(folder / "old" / "cope.json", read_only=True)
        out["old_read_only_clients"] = [c.code for c in viewer.clients()]
        viewer.close()
    except Exception as exc:
        out["old_read_only_clients"] = f"{type(exc).__name__}: {exc}"
    print(json.dumps(out))


# ---- privacy --------------------------------------------------------------------------------


def privacy(marker: str) -> None:
    os.umask(0o022)
    from cope_tui.session import create_client, start_meeting
    from cope_tui.paths import default_db_path
    from cope_tui.session import Session

    session = Session.open(default_db_path())
    client = create_client(session.store, f"C-{marker[:8]}", note=f"client note {marker}")
    meeting = start_meeting(session.store, session.meeting_guide, client)
    step = meeting.current_step
    for i in range(5):
        meeting.step(step).notes = f"typed {i}: {marker} " + "more words " * 50
        session.save_meeting(meeting)
        time.sleep(0.02)
    client.note = f"changed {marker}"
    session.save_client(client)
    assert session.flush()
    say(f"saved {session.store.path}")
    sys.stdin.readline()
    meeting.step(step).notes += f"\nlast words {marker}"
    session.save_meeting(meeting)
    ok = session.close()
    say(f"closed {ok}")


if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "torture":
        torture(args[0], int(args[1]), int(args[2]))
    elif mode == "saver":
        saver_scenario(args[0], args[1])
    elif mode == "compact-full":
        compact_full(args[0])
    elif mode == "nowrite":
        nowrite(args[0])
    elif mode == "privacy":
        privacy(args[0])
    else:
        raise SystemExit(f"unknown mode {mode}")
