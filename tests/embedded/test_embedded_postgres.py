"""Embedded PostgreSQL: answers queries, keeps data across restarts, stops without leftovers."""

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import asyncpg
import psutil

from kehoach.embedded import EmbeddedPostgres


async def test_embedded_postgres_answers_select_1_and_stops(pg_data_dir: Path) -> None:
    postgres = EmbeddedPostgres(data_dir=pg_data_dir)
    await postgres.start()
    postmaster = postgres.pid
    assert postmaster is not None
    connection = await asyncpg.connect(postgres.url)
    try:
        assert 1 == await connection.fetchval("select 1")
        assert "kehoach" == await connection.fetchval("select current_database()")
    finally:
        await connection.close()

    await postgres.stop()

    assert not _running(postmaster)


async def test_embedded_postgres_keeps_rows_across_a_restart(pg_data_dir: Path) -> None:
    async with EmbeddedPostgres(data_dir=pg_data_dir) as postgres:
        connection = await asyncpg.connect(postgres.url)
        await connection.execute("create table plan (code text primary key)")
        await connection.execute("insert into plan values ('516/KH-UBND')")
        await connection.close()

    async with EmbeddedPostgres(data_dir=pg_data_dir) as postgres:
        connection = await asyncpg.connect(postgres.url)
        assert ["516/KH-UBND"] == [
            r["code"] for r in await connection.fetch("select code from plan")
        ]
        await connection.close()


def _run_python(script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_interpreter_exit_after_stop_or_without_it_is_clean_and_leaves_no_server(
    pg_data_dir: Path,
) -> None:
    common = f"""
        import asyncio, pathlib
        from kehoach.embedded import EmbeddedPostgres
        pg = EmbeddedPostgres(data_dir=pathlib.Path({str(pg_data_dir)!r}))
        asyncio.run(pg.start())
        print(f"postmaster={{pg.pid}}")
    """
    for ending in ("asyncio.run(pg.stop())", "pass  # leave it to the library's atexit hook"):
        done = _run_python(common + f"\n        {ending}\n")
        assert (0, "") == (done.returncode, _tracebacks(done.stderr)), done.stderr
        assert _exited_within(_postmaster(done.stdout), seconds=10)


def _exited_within(pid: int, *, seconds: float) -> bool:
    """Gone, or a zombie: exited, and waiting only for init to reap it."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _running(pid):
            return True
        time.sleep(0.02)
    return False


def _running(pid: int) -> bool:
    try:
        return bool(psutil.Process(pid).status() != psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return False


def _postmaster(stdout: str) -> int:
    return next(
        int(line.split("=")[1]) for line in stdout.splitlines() if line.startswith("postmaster=")
    )


def _tracebacks(stderr: str) -> str:
    return "\n".join(line for line in stderr.splitlines() if "Traceback" in line or "Error" in line)
