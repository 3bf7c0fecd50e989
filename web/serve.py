"""Serving the portal with uvicorn inside a process that owns its own signals.

`kehoach up`/`demo` and `kehoach web` stop on their own SIGINT/SIGTERM handling, so uvicorn
must not install handlers of its own; and the socket is bound here first, so a port already
in use is a clear error instead of uvicorn's exit of the whole process.

Whatever command serves the portal, it refuses to listen beyond the loopback interface with a
weak secret key (web.keys): sessions, sign-in and action links all rest on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Iterator

import structlog
import uvicorn
from fastapi import FastAPI

from schemas.errors import RuntimeStartError
from web.keys import check_secret_key, is_loopback

log = structlog.get_logger(__name__)


class _Server(uvicorn.Server):
    """uvicorn's server without its signal handling (the caller stops it)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        sock.close()
        raise RuntimeStartError(
            f"portal could not listen on {host}:{port}: {err}",
            message_vi=f"Không mở được cổng thông tin ở {host}:{port} (cổng đang bận? "
            "đặt KEHOACH_WEB_PORT khác).",
        ) from err
    sock.listen(128)
    sock.setblocking(False)
    return sock


@contextlib.asynccontextmanager
async def serving(app: FastAPI, *, host: str, port: int) -> AsyncIterator[str]:
    """Serve `app` on host:port until the block ends; yields the portal's local URL.
    Beyond the loopback interface only with a strong secret key (web.keys)."""
    if not is_loopback(host):
        check_secret_key(app.state.portal.settings.secret_key.get_secret_value())
    sock = _bind(host, port)
    server = _Server(uvicorn.Config(app, log_config=None, access_log=False, lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]), name="portal")
    # uvicorn says it is up only through this flag.
    while not server.started and not task.done():  # noqa: ASYNC110
        await asyncio.sleep(0.02)
    if task.done():
        sock.close()
        task.result()  # raises what stopped it
        raise RuntimeStartError(
            "portal stopped while starting", message_vi="Cổng thông tin dừng ngay khi khởi động."
        )
    bound_port = sock.getsockname()[1]
    url = f"http://{'[' + host + ']' if ':' in host else host}:{bound_port}"
    log.info("portal_started", url=url)
    try:
        yield url
    finally:
        server.should_exit = True
        await task
        sock.close()
        log.info("portal_stopped", url=url)
