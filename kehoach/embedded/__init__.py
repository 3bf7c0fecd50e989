"""The embedded runtime: everything `kehoach up` needs on one machine, no Docker.

Each part is a small async class with `start()` / `stop()` (and `async with`), keeping its
state under the data directory so a restart picks up where it left off.
"""

from kehoach.embedded.devserver import TemporalDevServer, find_temporal_binary
from kehoach.embedded.mailbox import Mailbox, ReceivedMail
from kehoach.embedded.postgres import EmbeddedPostgres

__all__ = [
    "EmbeddedPostgres",
    "Mailbox",
    "ReceivedMail",
    "TemporalDevServer",
    "find_temporal_binary",
]
