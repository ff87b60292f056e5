"""ctrl+c during a demo too big to wait for: the half-written database stays (the next
demo run refuses it, as it holds clients), so the message says so and what to do."""

from __future__ import annotations

import signal
import subprocess
import time

from helpers.cli import CLI


def test_ctrl_c_during_the_demo_says_what_it_left(cli_env, tmp_path):
    db = tmp_path / "big-demo.json"
    proc = subprocess.Popen([*CLI, "demo", "--db", str(db), "--clients", "1000000"], env=cli_env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    journal = db.with_name(db.name + ".journal")
    deadline = time.monotonic() + 60
    while not (journal.exists() and journal.stat().st_size > 100_000):  # well into the clients
        assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.poll() is not None else "slow"
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert f"'{db}' holds only part of the demo" in err and f"{db.name}.*" in err
    assert "Traceback" not in err and "Wrote" not in out
