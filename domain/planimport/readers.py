"""Plan documents in, text out: .txt/.md as they are, .docx paragraphs and tables, .pdf's
text layer. A PDF without a text layer (a scan) is refused rather than read as empty."""

import io
import zipfile

from domain.planimport.refusal import NotAPlan
from domain.planimport.text import normalise_document

MAX_BYTES = 20 * 1024 * 1024
_TEXT_SUFFIXES = {".txt", ".md", ".markdown", ""}


def _looks_binary(data: bytes) -> bool:
    sample = data[:4096]
    return b"\x00" in sample


def _read_text(data: bytes) -> str:
    if _looks_binary(data):
        raise NotAPlan("binary content in a text file",
                       "Tệp không phải văn bản (có dữ liệu nhị phân); không đọc được kế hoạch.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NotAPlan("text is not UTF-8",
                       "Tệp văn bản không ở mã UTF-8; hãy lưu lại dưới dạng UTF-8.") from None


def _read_docx(data: bytes) -> str:
    from docx import Document

    try:
        document = Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError):
        raise NotAPlan("not a valid .docx", "Tệp .docx hỏng hoặc không phải .docx.") from None
    lines: list[str] = []
    for table in document.tables[:2]:  # the header table: issuer | motto, number | place-date
        for row in table.rows:
            for cell in row.cells:
                lines.extend([*cell.text.split("\n"), "|"])
    for paragraph in document.paragraphs:
        lines.extend([paragraph.text, ""])
    for table in document.tables[2:]:
        for row in table.rows:
            lines.extend([*(c.text for c in row.cells), "|"])
    return "\n".join(lines)


def _read_pdf(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError):
        raise NotAPlan("not a readable PDF", "Tệp PDF hỏng hoặc không đọc được.") from None
    text = "\n".join(pages)
    if len(text.strip()) < 200:
        raise NotAPlan(
            "PDF has no text layer (scanned)",
            "Tệp PDF là bản quét, không có lớp chữ; chưa đọc được. Hãy dùng tệp .docx hoặc "
            "PDF có lớp chữ (xuất từ Word), hoặc chép nội dung văn bản vào tệp .txt.",
        )
    return text


def read_document(data: bytes, suffix: str) -> str:
    """The document's text, NFC, for the importer; refuses what is not a readable document."""
    if not data.strip():
        raise NotAPlan("empty file", "Tệp rỗng, không có nội dung kế hoạch.")
    if len(data) > MAX_BYTES:
        raise NotAPlan(f"file too large ({len(data)} bytes)",
                       f"Tệp quá lớn ({len(data) // (1024 * 1024)} MB); một kế hoạch thường "
                       f"dưới {MAX_BYTES // (1024 * 1024)} MB.")
    suffix = suffix.lower()
    if suffix == ".docx":
        text = _read_docx(data)
    elif suffix == ".pdf":
        text = _read_pdf(data)
    elif suffix in _TEXT_SUFFIXES:
        text = _read_text(data)
    else:
        raise NotAPlan(f"unsupported file type {suffix!r}",
                       f"Không đọc được tệp {suffix}; hãy dùng .docx, .pdf, .txt hoặc .md.")
    return normalise_document(text)
