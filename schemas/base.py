"""The one base every kehoach model and message derives from."""

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict


class Model(BaseModel):
    """Frozen, strict about unknown fields: a typo in a plan file or a message is an error."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=False)


UNSTORABLE_VI = (
    "Nội dung có ký tự không hợp lệ (ký tự NUL, thường do sao chép từ tệp nhị "
    "phân); hãy xóa ký tự đó rồi gửi lại."
)
"""Why a person's text was refused: it holds a character the store cannot keep."""


def storable(text: str) -> bool:
    """Whether PostgreSQL can keep `text`: it takes no NUL character (text and JSONB alike).

    A report or reason it cannot keep would be accepted by the workflow and then never reach
    the store, so every way in (messages, pages, API, file names) refuses it first."""
    return "\x00" not in text


def _storable(value: str) -> str:
    if not storable(value):
        raise ValueError(UNSTORABLE_VI)
    return value


Text = Annotated[str, AfterValidator(_storable)]
"""A person's text (reports, reasons, comments): anything but NUL."""
