"""kehoach's PostgreSQL store: schema migrations, the connection pool and the repository.

Activities receive a `Store` (built on one `asyncpg.Pool` the worker opens) and never see
SQL; the web portal and the CLI use the same class.
"""

from adapters.store.migrate import migrate
from adapters.store.pool import open_pool
from adapters.store.repository import Store

__all__ = ["Store", "migrate", "open_pool"]
