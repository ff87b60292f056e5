"""Issue 11, point 3: every file cope-tui writes is created safely.

Temporary files get names nobody can guess and are opened with O_CREAT|O_EXCL|O_NOFOLLOW,
so a link planted by another user is never written through; they are removed on every
failure path, so no plaintext copy is left beside a failed export; and every folder
cope-tui creates, parents included, is 0700 whatever the umask.
"""

from __future__ import annotations

import os
import shlex
import stat
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from textual.widgets import Input

from cope_tui.store import diskio
from cope_tui.app import create_app
from cope_tui.export.documents import write_export
from cope_tui.session import create_client, start_meeting
from cope_tui.meetings.models import Client
from cope_tui.screens.export_preview import ExportPreview, WriteDialog
from cope_tui.screens.meeting import MeetingScreen
from cope_tui.session import Session
from cope_tui.store.store import Store
from helpers.cli import CLI

PASS = "a long and private phrase"
SECRET = "TAPIR-SECRET-5521"
NOBODY = 65534  # the unprivileged second user of the tests below

as_root = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0,
    reason="a second user is played by a forked child that drops to another uid, which needs root",
)


def make_db(folder: Path, passphrase: str | None = None, cli_env=None, run_cli=None) -> Path:
    db = folder / "cope.json"
    store = Store(db)
    store.put_client(Client(code="C-1", note=f"note {SECRET}"))
    store.close()
    if passphrase is not None:
        done = run_cli(["encrypt", "--db", str(db)], {**cli_env, "COPE_TUI_PASSPHRASE": passphrase})
        assert done.returncode == 0, done.stderr
    return db


@pytest.fixture
def shared_dir():
    """`shared_dir(owner)`: a folder anyone may write to, like /tmp (and reachable by the
    second user, which the test's own tmp_path is not); links planted by its owner are
    followed even where the kernel protects sticky folders from other users' links."""
    made: list[Path] = []

    def make(owner: int = 0) -> Path:
        shared = Path(tempfile.mkdtemp(prefix="cope-shared-"))
        made.append(shared)
        os.chown(shared, owner, owner)
        os.chmod(shared, 0o1777)
        return shared

    yield make
    for folder in made:
        shutil.rmtree(folder, ignore_errors=True)


def as_other_user(job) -> int:
    """Run `job()` in a forked child under the unprivileged uid; its exit status back."""
    pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        code = 1
        try:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            code = job() or 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# ---- the one helper ----------------------------------------------------------------------


def test_a_link_at_the_old_predictable_temp_name_is_never_written_through(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    out = tmp_path / "out.md"
    (tmp_path / f".out.md.{os.getpid()}.tmp").symlink_to(victim)
    diskio.write_private(out, b"client records\n")
    assert victim.read_text() == "precious\n"
    assert not out.is_symlink() and out.read_bytes() == b"client records\n"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_temp_names_are_unpredictable_and_an_open_removes_a_killed_writers(tmp_path, monkeypatch):
    """The name is random (a fixed `.NAME.` and `.tmp` around it), never the pid; a temp left
    by a writer killed before its rename is found and removed by the next open."""
    seen: list[str] = []
    real_replace = os.replace

    def spy(src, dst):
        seen.append(os.path.basename(src))
        return real_replace(src, dst)

    monkeypatch.setattr(diskio.os, "replace", spy)
    db = tmp_path / "cope.json"
    for _ in range(2):
        diskio.write_private(db, b"{}")
    monkeypatch.undo()
    assert len(set(seen)) == 2 and all(n.startswith(".cope.json.") and n.endswith(".tmp") for n in seen)
    assert all(str(os.getpid()) not in n.removeprefix(".cope.json.") for n in seen)
    left = tmp_path / seen[0]  # as if that writer had been killed before its rename
    left.write_bytes(b"half a file")
    Store(db).close()
    assert temps(tmp_path) == []


@pytest.mark.parametrize("fail_at", ["write", "fsync", "replace"])
def test_every_failure_removes_the_temp(tmp_path, monkeypatch, fail_at):
    target = tmp_path / "out.md"
    target.write_bytes(b"old\n")

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(diskio.os, fail_at, broken)
    with pytest.raises(OSError):
        diskio.write_private(target, b"new\n" * 1000)
    monkeypatch.undo()
    assert target.read_bytes() == b"old\n" and temps(tmp_path) == []


# ---- export -o -------------------------------------------------------------------------


@pytest.mark.parametrize("passphrase", [None, PASS], ids=["plain", "encrypted"])
def test_export_to_a_folder_is_refused_and_leaves_no_copy(tmp_path, run_cli, cli_env, passphrase):
    db = make_db(tmp_path / "data", passphrase, cli_env, run_cli)
    out = tmp_path / "out"
    (out / "reports").mkdir(parents=True)
    (out / "report.md").mkdir()  # a folder that looks like a file
    before = sorted(p.name for p in out.iterdir()), sorted(p.name for p in tmp_path.iterdir())
    env = {**cli_env, "COPE_TUI_PASSPHRASE": PASS} if passphrase else cli_env
    for target in (out / "reports", out / "report.md"):
        done = run_cli(["export", "--all", "--db", str(db), "-o", str(target)], env)
        assert done.returncode == 1 and "folder" in done.stderr and "Traceback" not in done.stderr
        assert str(target) in done.stderr
    assert (sorted(p.name for p in out.iterdir()), sorted(p.name for p in tmp_path.iterdir())) == before
    assert list((out / "reports").iterdir()) == [] and list((out / "report.md").iterdir()) == []


@as_root
def test_a_target_that_cannot_be_replaced_leaves_no_copy(shared_dir):
    """In a sticky folder a second user cannot replace the first one's file: the export fails,
    and its temporary copy (full of client text) must not stay behind."""
    shared = shared_dir()
    target = shared / "report.md"
    target.write_text("root's report\n")  # owned by root: nobody else may replace it

    def export_as_other_user() -> int:
        (shared / "probe").write_text("the folder is open to this user\n")
        try:
            write_export(target, f"client text {SECRET}\n")
        except PermissionError:
            return 7
        return 0

    assert as_other_user(export_as_other_user) == 7
    assert target.read_text() == "root's report\n" and (shared / "probe").exists()
    assert temps(shared) == []


@as_root
def test_links_planted_by_another_user_cannot_redirect_an_export(tmp_path, run_cli, cli_env, shared_dir):
    """The attack as tried: links at every `.NAME.PID.tmp` a new process might get, pointing
    at a file of the victim's; the victim's export must write only its own file."""
    db = make_db(tmp_path / "data")
    shared = shared_dir(owner=NOBODY)  # the attacker's folder, open to all
    victim = tmp_path / "victim.txt"
    victim.write_text("the victim's own file\n")
    out = shared / "out.md"
    first = int(Path("/proc/sys/kernel/ns_last_pid").read_text()) if Path("/proc/sys/kernel/ns_last_pid").exists() else os.getpid()

    def plant() -> int:
        for pid in range(first + 1, first + 3000):
            (shared / f".out.md.{pid}.tmp").symlink_to(victim)
        return 0

    assert as_other_user(plant) == 0
    done = run_cli(["export", "--all", "--db", str(db), "-o", str(out)], cli_env)
    assert done.returncode == 0, done.stderr
    assert victim.read_text() == "the victim's own file\n"
    assert not out.is_symlink() and SECRET in out.read_text()
    info = out.lstat()
    assert info.st_uid == 0 and stat.S_IMODE(info.st_mode) == 0o600
    assert all((shared / name).is_symlink() and (shared / name).lstat().st_uid == NOBODY for name in temps(shared))


async def test_the_app_writes_its_export_through_the_same_safe_helper(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    out = tmp_path / "meeting.md"
    (tmp_path / f".meeting.md.{os.getpid()}.tmp").symlink_to(victim)  # the name the app once used
    session = Session.open(tmp_path / "data" / "cope.json")
    client = create_client(session.store, "C-5")
    start_meeting(session.store, session.meeting_guide, client)
    app = create_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter", "enter")
        await pilot.pause()
        assert isinstance(app.screen, MeetingScreen)
        await pilot.press(*SECRET, "ctrl+s", "ctrl+r")
        for _ in range(100):
            await pilot.pause(0.05)
            if isinstance(app.screen, ExportPreview) and app.screen.text:
                break
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, WriteDialog)
        app.screen.query_one("#path", Input).value = str(out)
        await pilot.press("enter")
        for _ in range(100):
            await pilot.pause(0.05)
            if isinstance(app.screen, ExportPreview) and out.exists():
                break
        await pilot.press("ctrl+q")
    assert session.close()
    assert victim.read_text() == "precious\n"
    assert not out.is_symlink() and SECRET in out.read_text()
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


# ---- stale temps at open -----------------------------------------------------------------


@as_root
def test_the_open_removes_only_its_own_stale_temps_and_follows_no_link(tmp_path):
    db = make_db(tmp_path / "data")
    folder = db.parent
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    ours = folder / ".cope.json.k3j2h1ab.tmp"
    ours.write_bytes(b"half a file")
    theirs = folder / ".cope.json.other.tmp"
    theirs.write_bytes(b"not ours")
    os.chown(theirs, NOBODY, NOBODY)
    link = folder / ".cope.json.link.tmp"
    link.symlink_to(victim)
    os.chown(link, NOBODY, NOBODY, follow_symlinks=False)
    Store(db).close()
    assert not ours.exists()
    assert theirs.read_bytes() == b"not ours" and link.is_symlink()
    assert victim.read_text() == "precious\n"


# ---- folders -----------------------------------------------------------------------------


def _modes(root: Path) -> dict[str, int]:
    found = {}
    for path in [root, *root.rglob("*")]:
        found[str(path.relative_to(root.parent))] = stat.S_IMODE(path.lstat().st_mode)
    return found


def test_new_folders_and_files_are_private_under_umask_000(tmp_path, cli_env):
    """Under umask 000 the parents of a new DB's folder were 0777: every folder cope-tui
    creates, on every path (--db, the default location, encrypt), is 0700, every file 0600."""
    data_home = tmp_path / "xdg-new" / "share"
    env = {**cli_env, "XDG_DATA_HOME": str(data_home), "COPE_TUI_PASSPHRASE": PASS}
    python = shlex.join(CLI)
    script = (
        "umask 000 && "
        f"{python} demo --db new/a/b/cope.json --clients 2 --meetings 4 && "
        f"{python} encrypt --db sealed/c/cope.json && "
        f"{python} encrypt"  # the default location, under XDG_DATA_HOME's new parents
    )
    done = subprocess.run(["sh", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    for root in (tmp_path / "new", tmp_path / "sealed", tmp_path / "xdg-new"):
        modes = _modes(root)
        folders = {p: m for p, m in modes.items() if (tmp_path / p).is_dir()}
        files = {p: m for p, m in modes.items() if p not in folders}
        assert folders and set(folders.values()) == {0o700}, folders
        assert files and set(files.values()) == {0o600}, files


async def test_the_write_dialog_refuses_the_databases_own_file(tmp_path):
    """Typed (or pasted) as the export's file, the DB's own name was 'That file exists.
    Press enter again to replace it.', and a second enter put Markdown in its place."""
    from cope_tui.dialogs.write_file import WriteDialog as Dialog

    db = tmp_path / "data" / "cope.json"
    session = Session.open(db)
    create_client(session.store, "C-5")
    app = create_app(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        files = lambda: {p.name: p.read_bytes() for p in db.parent.iterdir() if p.is_file()}  # noqa: E731
        before = files()
        for target in (db, db.parent / "cope.json.journal"):
            app.push_screen(Dialog("# C-5\n", tmp_path / "x.md"))
            await pilot.pause()
            app.screen.query_one("#path", Input).value = str(target)
            await pilot.press("enter", "enter")
            await pilot.pause(0.2)
            assert isinstance(app.screen, Dialog)
            shown = str(app.screen.query_one("#write-error").render())
            assert "one of the database's own files" in shown
            await pilot.press("escape")
            await pilot.pause()
        assert files() == before
        await pilot.press("ctrl+q")
    assert session.close()
    again = Session.open(db)
    assert [c.code for c in again.store.client_summaries()] == ["C-5"]
    again.close()
