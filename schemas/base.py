"""The one base every kehoach model and message derives from."""

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    """Frozen, strict about unknown fields: a typo in a plan file or a message is an error."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=False)
