"""Why a document is refused: it is not a plan the importer can read.

The importer never writes a half plan: a document without a plan's shape is refused with
a Vietnamese reason for the person and an English one for the log.
"""


class NotAPlan(Exception):
    """The document is not a readable plan; `message_vi` tells the person why."""

    def __init__(self, message: str, message_vi: str) -> None:
        super().__init__(message)
        self.message = message
        self.message_vi = message_vi
