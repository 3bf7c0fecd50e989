"""The parts one benchmark run starts and owns: a Temporal dev server, an embedded
PostgreSQL, a local SMTP server, one worker process per flavor; and what is measured on
them (CPU seconds per process, the worker's RSS, an optional py-spy profile).

Everything lives under one temporary directory and listens on loopback ports chosen free at
start; every process started here is stopped by its own pid.
"""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from adapters.store import Store, migrate, open_pool
from kehoach.embedded.devserver import TemporalDevServer, wait_exit
from kehoach.embedded.postgres import EmbeddedPostgres
from tests.factories import tiny_plan

PYTHON = sys.executable
ROOT = Path(__file__).resolve().parent.parent
READY_TIMEOUT = 60.0


def interrupt_on_sigterm() -> None:
    """SIGTERM (kill, a CI timeout) raises KeyboardInterrupt like Ctrl-C, so the run's
    finally blocks stop the dev server, PostgreSQL and the workers it started."""
    signal.signal(signal.SIGTERM, signal.default_int_handler)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class BenchDevServer(TemporalDevServer):
    """kehoach's dev server (SQLite file, search attributes), headless, with its Prometheus
    endpoint on a known port so the run can read where the server's time went."""

    def __init__(self, *, metrics_port: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.metrics_port = metrics_port

    def command(self) -> list[str]:
        return [*super().command(), "--metrics-port", str(self.metrics_port), "--headless"]


@dataclass
class Services:
    """What every flavor shares: the server, the database, the mailbox."""

    root: Path
    temporal: BenchDevServer
    postgres: EmbeddedPostgres
    mailbox: subprocess.Popen[bytes]
    smtp_port: int
    client: Client
    database_url: str

    def pids(self) -> dict[str, int | None]:
        return {
            "temporal": self.temporal.pid,
            "postgres": self.postgres.pid,
            "mailbox": self.mailbox.pid,
        }


@asynccontextmanager
async def services(root: Path) -> AsyncIterator[Services]:
    """Start the dev server, PostgreSQL (migrated, the test plan's directory loaded) and the
    mailbox; stop them in reverse order."""
    temporal = BenchDevServer(
        data_dir=root / "temporal", port=free_port(), ui_port=free_port(), metrics_port=free_port()
    )
    postgres = EmbeddedPostgres(data_dir=root / "postgres")
    smtp_port = free_port()
    mailbox: subprocess.Popen[bytes] | None = None
    await postgres.start()
    try:
        await temporal.start()
        mailbox = _spawn(
            [
                PYTHON,
                "-m",
                "bench.workers",
                "mailbox",
                "--dir",
                str(root / "mail"),
                "--port",
                str(smtp_port),
            ],
            root / "mailbox.log",
        )
        await _wait_port(smtp_port, mailbox)
        pool = await open_pool(postgres.url, max_size=2)
        try:
            await migrate(pool)
            await Store(pool).load_plan(tiny_plan())
        finally:
            await pool.close()
        client = await Client.connect(
            temporal.address, namespace=temporal.namespace, data_converter=pydantic_data_converter
        )
        yield Services(
            root=root,
            temporal=temporal,
            postgres=postgres,
            mailbox=mailbox,
            smtp_port=smtp_port,
            client=client,
            database_url=postgres.url,
        )
    finally:
        if mailbox is not None:
            await stop_process(mailbox)
        await temporal.stop()
        await postgres.stop()


def _spawn(
    command: list[str], log: Path, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )


async def _wait_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process {process.pid} exited with {process.returncode}")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


async def stop_process(process: subprocess.Popen[bytes], grace: float = 15.0) -> None:
    """SIGTERM this one process (by pid), SIGKILL it after `grace` seconds."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        if not await wait_exit(process, grace):
            process.kill()
            process.wait(5)


@asynccontextmanager
async def worker_process(
    services: Services,
    *,
    flavor: str,
    task_queue: str,
    extra_env: dict[str, str] | None = None,
) -> AsyncIterator[subprocess.Popen[bytes]]:
    """A worker of `flavor` in its own process (settings from `extra_env` on top of the
    run's), returned once it polls."""
    env = {
        **os.environ,
        "TEMPORAL_ADDRESS": services.temporal.address,
        "TEMPORAL_NAMESPACE": services.temporal.namespace,
        "KEHOACH_TASK_QUEUE": task_queue,
        "KEHOACH_DATABASE_URL": services.database_url,
        "KEHOACH_SMTP_HOST": "127.0.0.1",
        "KEHOACH_SMTP_PORT": str(services.smtp_port),
        "KEHOACH_MAIL_FROM": "kehoach@stttt.bench.example",
        "KEHOACH_LOG_FORMAT": "json",  # production's format
        "KEHOACH_LOG_LEVEL": "INFO",
        **(extra_env or {}),
    }
    log = services.root / "logs" / f"worker-{task_queue}.log"
    process = _spawn([PYTHON, "-m", "bench.workers", "worker", "--flavor", flavor], log, env)
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        while b"worker_running" not in log.read_bytes():
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{flavor} worker did not start:\n{tail}")
            await asyncio.sleep(0.1)
        yield process
    finally:
        await stop_process(process)


def cpu_seconds(pid: int | None, *, children: bool = True) -> float:
    """User + system CPU of a process, its live children and the children it has reaped."""
    if pid is None:
        return 0.0
    try:
        proc = psutil.Process(pid)
        times = proc.cpu_times()
        total = times.user + times.system + times.children_user + times.children_system
        if children:
            for child in proc.children(recursive=True):
                try:
                    t = child.cpu_times()
                    total += t.user + t.system
                except psutil.Error:
                    pass
        return float(total)
    except psutil.Error:
        return 0.0


def cpu_pressure_seconds() -> float:
    """Seconds during which some runnable task waited for a CPU (Linux PSI), or 0."""
    try:
        for line in Path("/proc/pressure/cpu").read_text().splitlines():
            if line.startswith("some"):
                return int(line.rsplit("total=", 1)[1]) / 1e6
    except (OSError, ValueError, IndexError):
        pass
    return 0.0


def rss_mb(pid: int) -> float:
    try:
        return float(psutil.Process(pid).memory_info().rss) / 2**20
    except psutil.Error:
        return 0.0


@dataclass
class Meter:
    """CPU seconds per process between start() and stop(); the worker's RSS, sampled."""

    pids: dict[str, int | None]
    worker_pid: int
    interval: float = 0.25
    cpu_before: dict[str, float] = field(default_factory=dict)
    cpu_used: dict[str, float] = field(default_factory=dict)
    rss_peak: float = 0.0
    _task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.cpu_before = self._cpu()
        self._task = asyncio.create_task(self._sample())

    def stop(self) -> None:
        after = self._cpu()
        self.cpu_used = {k: round(after[k] - self.cpu_before.get(k, 0.0), 3) for k in after}
        if self._task is not None:
            self._task.cancel()

    def rss(self) -> float:
        value = rss_mb(self.worker_pid)
        self.rss_peak = max(self.rss_peak, value)
        return value

    def _cpu(self) -> dict[str, float]:
        found = {name: cpu_seconds(pid) for name, pid in self.pids.items()}
        found["worker"] = cpu_seconds(self.worker_pid)
        found["driver"] = cpu_seconds(os.getpid(), children=False)
        # Everything the machine ran, ours included: "others" is this minus the above.
        times = psutil.cpu_times()
        found["machine"] = times.user + times.nice + times.system + times.irq + times.softirq
        found["cpu_pressure"] = cpu_pressure_seconds()
        return found

    async def _sample(self) -> None:
        while True:
            self.rss()
            await asyncio.sleep(self.interval)


async def worker_quiet(
    pid: int, *, below: float = 0.05, window: float = 2.0, within: float = 600.0
) -> float:
    """Wait until the worker uses less than `below` of a core over `window` seconds;
    returns how long that took."""
    began = time.monotonic()
    while time.monotonic() - began < within:
        before = cpu_seconds(pid, children=False)
        await asyncio.sleep(window)
        if (cpu_seconds(pid, children=False) - before) / window < below:
            break
    return time.monotonic() - began


class Profiler:
    """py-spy sampling one process into a collapsed-stack file (start/stop)."""

    def __init__(self, pid: int, output: Path, *, rate: int = 100) -> None:
        self.output = output
        self.command = [
            str(Path(PYTHON).parent / "py-spy"),
            "record",
            "--pid",
            str(pid),
            "--rate",
            str(rate),
            "--format",
            "raw",
            "--nonblocking",
            "--output",
            str(output),
        ]
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.output.parent.mkdir(parents=True, exist_ok=True)
        self.process = _spawn(self.command, self.output.with_suffix(".log"))

    async def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # py-spy writes its output on SIGINT
        if not await wait_exit(process, 30):
            process.kill()
