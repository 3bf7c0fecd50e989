"""A worker started before Temporal answers waits for it instead of exiting (it used to exit
at once, and a fault test whose restart overlapped a worker's start hung until its timeout)."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from kehoach.embedded.devserver import TemporalDevServer
from tests.faults.harness import free_port
from tests.pgserver import fresh_database, shared_server_uri

KEHOACH = Path(sys.executable).parent / "kehoach"


async def _wait_for(log: Path, text: str, *, seconds: float) -> bool:
    for _ in range(int(seconds * 10)):
        if text in log.read_text(errors="replace"):
            return True
        await asyncio.sleep(0.1)
    return False


async def test_worker_started_before_temporal_waits_then_runs() -> None:
    folder = Path(tempfile.mkdtemp(prefix="kehoach-wait-"))
    port = free_port()
    log = folder / "worker.log"
    async with fresh_database(shared_server_uri()) as database_url:
        env = {
            **os.environ,
            "TEMPORAL_ADDRESS": f"127.0.0.1:{port}",
            "KEHOACH_DATABASE_URL": database_url,
            "KEHOACH_LOG_FORMAT": "json",
            "KEHOACH_TASK_QUEUE": f"wait-{port}",
        }
        with log.open("wb") as out:
            worker = subprocess.Popen(
                [str(KEHOACH), "worker"], env=env, stdout=out, stderr=subprocess.STDOUT
            )
        server = TemporalDevServer(data_dir=folder, port=port, ui_port=free_port())
        try:
            assert await _wait_for(log, "temporal_not_ready", seconds=60), log.read_text()
            assert worker.poll() is None, log.read_text()
            await server.start()
            assert await _wait_for(log, "worker_running", seconds=90), log.read_text()
            worker.send_signal(signal.SIGTERM)
            assert 0 == worker.wait(timeout=30), log.read_text()
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
            await server.stop()
            shutil.rmtree(folder, ignore_errors=True)
