"""What a report may carry: a short allow-list of office file types, each of bounded size.

The type is decided by the file name's extension and checked against the file's first bytes;
what the browser claims (Content-Type) is ignored, and the stored type is ours. A file that
says .pdf but is not a PDF is refused, so what a reader downloads is what it says it is.

The name is reduced to its last path part (no `../`, no folders of the sender's machine) and
cleaned for display: Unicode NFC, and no control or bidirectional formatting characters, so
`x\u202efdp.txt` cannot pass for a PDF on the page or in the download's name.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath

from starlette.datastructures import UploadFile

from schemas.base import storable

MAX_FILES = 10
MAX_FILE_BYTES = 10 * 1024 * 1024
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc, .xls
_ZIP = b"PK\x03\x04"  # .docx, .xlsx, .odt, .ods
ALLOWED: dict[str, tuple[str, tuple[bytes, ...] | None]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".doc": ("application/msword", (_OLE,)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (_ZIP,)),
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


def display_name(name: str) -> str:
    """A file name fit to show: its last path part, NFC, without control characters (Cc)
    or format characters (Cf: the bidirectional overrides and isolates, zero-width marks)."""
    base = PurePosixPath(name.replace("\\", "/")).name
    kept = "".join(
        c for c in unicodedata.normalize("NFC", base) if unicodedata.category(c) not in ("Cc", "Cf")
    )
    return kept.strip()[:255]


class BadAttachment(Exception):
    """A file the portal does not accept; the message names it, in Vietnamese."""


@dataclass(frozen=True)
class Upload:
    """A checked file, ready for the store."""

    name: str
    content_type: str
    content: bytes


async def check(
    files: list[UploadFile], *, max_files: int = MAX_FILES, max_file_bytes: int = MAX_FILE_BYTES
) -> list[Upload]:
    """The uploaded files, checked; `BadAttachment` for the first that is not acceptable."""
    chosen = [f for f in files if f.filename]  # an empty file input sends a nameless part
    if len(chosen) > max_files:
        raise BadAttachment(f"Tối đa {max_files} tệp đính kèm; đã chọn {len(chosen)} tệp.")
    checked = []
    for file in chosen:
        if not storable(file.filename or ""):
            raise BadAttachment("Tên tệp có ký tự không hợp lệ (ký tự NUL).")
        name = display_name(file.filename or "")
        extension = PurePosixPath(name).suffix.lower()
        if not PurePosixPath(name).stem:
            raise BadAttachment(f"Tệp {name or '(không tên)'}: thiếu tên tệp.")
        if extension not in ALLOWED:
            raise BadAttachment(f"Tệp {name}: loại tệp không được nhận; chỉ nhận {ALLOWED_VI}.")
        content = await file.read(max_file_bytes + 1)
        if len(content) > max_file_bytes:
            raise BadAttachment(
                f"Tệp {name} lớn hơn {max_file_bytes / (1024 * 1024):g} MB (giới hạn cho phép)."
            )
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
