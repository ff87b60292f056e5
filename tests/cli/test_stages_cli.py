"""The handover document through the CLI (subprocess)."""

from __future__ import annotations

import pytest

from cope_tui.session import create_client
from cope_tui.meetings.stages import change_stage, close_client
from cope_tui.store.store import Store
from helpers.journey import full_handover


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "cope.json")
    yield store
    store.close()


# ---- command line -----------------------------------------------------------------------------

def test_cli_exports_the_handover_by_code_or_id(tmp_path, cli):
    db = tmp_path / "cope.json"
    store = Store(db)
    client = create_client(store, "C-8")
    change_stage(client, 3, "goals agreed")
    full_handover(client)
    close_client(client)
    store.put_client(client)
    store.close()

    by_code = cli("export", "--handover", "C-8", "--db", db)
    assert by_code.returncode == 0, by_code.stderr
    assert by_code.stdout.startswith("# Handover: C-8\n")
    assert "3 Goals" in by_code.stdout and "Lists in the morning help." in by_code.stdout
    assert "closed on" in by_code.stdout

    out = tmp_path / "handover.md"
    by_id = cli("export", "--handover", client.id[:8], "--db", db, "-o", out)
    assert by_id.returncode == 0, by_id.stderr
    assert out.read_text(encoding="utf-8").startswith("# Handover: C-8\n")
    assert out.stat().st_mode & 0o777 == 0o600

    missing = cli("export", "--handover", "C-404", "--db", db)
    assert missing.returncode == 1 and "no client with the code or id 'C-404'" in missing.stderr
    assert missing.stdout == ""
    both = cli("export", "--handover", "C-8", "--all", "--db", db)
    assert both.returncode == 2
