"""What a report may carry: a short allow-list of office file types, each of bounded size.

The type is decided by the file name's extension and checked against the file's first bytes;
what the browser claims (Content-Type) is ignored, and the stored type is ours. A file that
says .pdf but is not a PDF is refused, so what a reader downloads is what it says it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from fastapi import UploadFile

from schemas.base import storable

MAX_FILES = 10
MAX_FILE_BYTES = 10 * 1024 * 1024
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc, .xls
_ZIP = b"PK\x03\x04"  # .docx, .xlsx, .odt, .ods
ALLOWED: dict[str, tuple[str, tuple[bytes, ...] | None]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".doc": ("application/msword", (_OLE,)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
              (_ZIP,)),
    ".xls": ("application/vnd.ms-excel", (_OLE,)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (_ZIP,)),
    ".odt": ("application/vnd.oasis.opendocument.text", (_ZIP,)),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", (_ZIP,)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".txt": ("text/plain; charset=utf-8", None),
    ".csv": ("text/csv; charset=utf-8", None),
}
ALLOWED_VI = ", ".join(sorted(ALLOWED))


class BadAttachment(Exception):
    """A file the portal does not accept; the message names it, in Vietnamese."""


@dataclass(frozen=True)
class Upload:
    """A checked file, ready for the store."""

    name: str
    content_type: str
    content: bytes


async def check(files: list[UploadFile]) -> list[Upload]:
    """The uploaded files, checked; `BadAttachment` for the first that is not acceptable."""
    chosen = [f for f in files if f.filename]  # an empty file input sends a nameless part
    if len(chosen) > MAX_FILES:
        raise BadAttachment(f"Tối đa {MAX_FILES} tệp đính kèm; đã chọn {len(chosen)} tệp.")
    checked = []
    for file in chosen:
        name = PurePosixPath((file.filename or "").replace("\\", "/")).name[:255]
        if not storable(name):
            raise BadAttachment("Tên tệp có ký tự không hợp lệ (ký tự NUL).")
        extension = PurePosixPath(name).suffix.lower()
        if extension not in ALLOWED:
            raise BadAttachment(f"Tệp {name}: loại tệp không được nhận; chỉ nhận {ALLOWED_VI}.")
        content = await file.read(MAX_FILE_BYTES + 1)
        if len(content) > MAX_FILE_BYTES:
            raise BadAttachment(
                f"Tệp {name} lớn hơn {MAX_FILE_BYTES // (1024 * 1024)} MB (giới hạn cho phép).")
        if not content:
            raise BadAttachment(f"Tệp {name} trống.")
        content_type, signatures = ALLOWED[extension]
        if signatures is None:
            try:
                content.decode("utf-8")
            except UnicodeDecodeError:
                raise BadAttachment(f"Tệp {name} không phải văn bản UTF-8.") from None
        elif not content.startswith(signatures):
            raise BadAttachment(f"Tệp {name}: nội dung không đúng loại {extension}.")
        checked.append(Upload(name=name, content_type=content_type, content=content))
    return checked
