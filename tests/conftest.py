"""Session-wide test plumbing."""

import asyncio
from collections.abc import AsyncIterator

import pytest

from tests.summary import COUNTS

# The Temporal servers, the embedded PostgreSQL store and the mailbox that the workflow and
# portal tests share (a session-wide dev server is started once, when first asked for).
pytest_plugins = ["tests.workflows.fixtures"]

LEFTOVER_GRACE_S = 10.0


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if COUNTS:
        terminalreporter.section("fault test counts")
        for line in COUNTS:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session", autouse=True)
async def _no_task_left_behind() -> AsyncIterator[None]:
    """Cancel whatever tasks the tests left on the session's loop, insisting while they
    resist: a retry loop that turns a cancelled RPC into one more retry would otherwise keep
    the loop's closing (and the whole run) waiting for ever."""
    yield
    current = asyncio.current_task()
    loop = asyncio.get_running_loop()
    give_up = loop.time() + LEFTOVER_GRACE_S
    while loop.time() < give_up:
        leftover = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
        if not leftover:
            return
        for task in leftover:
            task.cancel()
        await asyncio.sleep(0.1)
    names = [
        t.get_name() + ": " + repr(t.get_coro())
        for t in asyncio.all_tasks()
        if t is not current and not t.done()
    ]
    print(f"\ntasks still running after {LEFTOVER_GRACE_S} s of cancelling: {names}")
