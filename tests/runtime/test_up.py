"""`kehoach up` as a person runs it: starts everything, prints the addresses, stops on Ctrl-C
leaving nothing behind, and resumes from the same data directory."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

KEHOACH = Path(sys.executable).parent / "kehoach"
READY = "Ctrl-C để dừng"  # the title of the address table; the table ends with └


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def data_dir() -> Iterator[Path]:
    # Not pytest's tmp_path: the embedded PostgreSQL runs as its own system user when the
    # tests run as root, and pytest's temporary folders are private to root.
    folder = Path(tempfile.mkdtemp(prefix="kehoach-up-"))
    yield folder
    _kill_whatever_runs_on(folder)
    shutil.rmtree(folder, ignore_errors=True)


def _kill_whatever_runs_on(folder: Path) -> None:
    """A failed assertion must not leave servers behind: kill what still uses `folder`."""
    for process in psutil.process_iter(["cmdline"]):
        if any(str(folder) in part for part in process.info["cmdline"] or []):
            with contextlib.suppress(psutil.Error):
                process.kill()


def _run_until_ready(env: dict[str, str], *args: str) -> tuple[subprocess.Popen[str], list[str]]:
    process = subprocess.Popen(
        [str(KEHOACH), "up", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    lines: list[str] = []
    deadline = time.monotonic() + 120
    assert process.stdout is not None
    titled = False
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        titled = titled or READY in line
        if titled and line.lstrip().startswith("└"):
            return process, lines
    for child in psutil.Process(process.pid).children(recursive=True):
        with contextlib.suppress(psutil.Error):
            child.kill()
    process.kill()
    raise AssertionError("kehoach up did not become ready:\n" + "".join(lines))


def _stop(process: subprocess.Popen[str]) -> tuple[int, str]:
    children = psutil.Process(process.pid).children(recursive=True)
    process.send_signal(signal.SIGINT)
    rest, _ = process.communicate(timeout=60)
    _gone, alive = psutil.wait_procs(children, timeout=10)
    assert [] == [p.pid for p in alive], "processes left running after Ctrl-C"
    return process.returncode, rest


def test_up_starts_everything_stops_cleanly_and_resumes(data_dir: Path) -> None:
    grpc, ui, smtp, web = _free_port(), _free_port(), _free_port(), _free_port()
    env = {
        **os.environ,
        "KEHOACH_DATA_DIR": str(data_dir),
        "TEMPORAL_ADDRESS": f"127.0.0.1:{grpc}",
        "KEHOACH_TEMPORAL_UI_URL": f"http://127.0.0.1:{ui}",
        "KEHOACH_SMTP_HOST": "127.0.0.1",
        "KEHOACH_SMTP_PORT": str(smtp),
        "KEHOACH_WEB_PORT": str(web),
        "COLUMNS": "200",
    }
    process, lines = _run_until_ready(env)
    output = "".join(lines)
    assert f"http://127.0.0.1:{ui}" in output
    assert f"http://127.0.0.1:{web}" in output  # the portal
    assert "workflow plan/516-KH-UBND" in output  # the plan is running
    code, rest = _stop(process)
    assert 0 == code, rest
    assert "Traceback" not in output + rest

    # Again on the same data directory: the same workflows, nothing started twice.
    process, lines = _run_until_ready(env)
    code, rest = _stop(process)
    assert 0 == code, rest
    assert "Traceback" not in "".join(lines) + rest
    assert (data_dir / "temporal.db").exists()
    log = (data_dir / "logs" / "kehoach.log").read_text(encoding="utf-8")
    assert 1 == log.count('"migrations_applied"')  # the second run found the schema in place
