"""The one base every kehoach model and message derives from."""

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict


class Model(BaseModel):
    """Frozen, strict about unknown fields: a typo in a plan file or a message is an error."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=False)


def _storable(value: str) -> str:
    """PostgreSQL text cannot hold NUL; refuse it where a person's words enter."""
    if "\x00" in value:
        raise ValueError("chứa ký tự NUL (\\x00), không lưu được")
    return value


Text = Annotated[str, AfterValidator(_storable)]
"""A person's text (reports, reasons, comments): anything but NUL."""
