"""Plan documents in, text out: .txt/.md as they are, .docx paragraphs and tables, .pdf's
text layer. A PDF without a text layer (a scan) is read by the OCR its caller passes in
(`adapters.ocr`, Tesseract as a subprocess: the domain runs no program), or refused rather
than read as empty."""

import io
from collections.abc import Callable

from domain.planimport.docx_text import docx_text
from domain.planimport.reflow import reflow
from domain.planimport.refusal import NotAPlan
from domain.planimport.text import normalise_document

MAX_BYTES = 20 * 1024 * 1024
_TEXT_SUFFIXES = {".txt", ".md", ".markdown", ""}


def _looks_binary(data: bytes) -> bool:
    sample = data[:4096]
    return b"\x00" in sample


def _read_text(data: bytes) -> str:
    if _looks_binary(data):
        raise NotAPlan(
            "binary content in a text file",
            "Tệp không phải văn bản (có dữ liệu nhị phân); không đọc được kế hoạch.",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NotAPlan(
            "text is not UTF-8", "Tệp văn bản không ở mã UTF-8; hãy lưu lại dưới dạng UTF-8."
        ) from None


Ocr = Callable[[bytes], str]
"""Text of a scanned PDF's pages, or "" when nothing could be recognised."""
_MIN_TEXT = 200


def _read_pdf(data: bytes, ocr: Ocr | None) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError):
        raise NotAPlan("not a readable PDF", "Tệp PDF hỏng hoặc không đọc được.") from None
    text = "\n".join(pages)
    if len(text.strip()) < _MIN_TEXT and ocr is not None:
        text = ocr(data)
        if len(text.strip()) < _MIN_TEXT:
            raise NotAPlan(
                "scanned PDF, OCR found no text",
                "Tệp PDF là bản quét; đã nhận dạng chữ (OCR) nhưng không đọc được nội dung. "
                "Hãy dùng bản quét rõ hơn, tệp .docx hoặc PDF có lớp chữ.",
            )
    if len(text.strip()) < _MIN_TEXT:
        raise NotAPlan(
            "PDF has no text layer (scanned)",
            "Tệp PDF là bản quét, không có lớp chữ; chưa đọc được. Hãy dùng tệp .docx hoặc "
            "PDF có lớp chữ (xuất từ Word), hoặc chép nội dung văn bản vào tệp .txt.",
        )
    return text


def read_document(data: bytes, suffix: str, *, ocr: Ocr | None = None) -> str:
    """The document's text, NFC, for the importer; refuses what is not a readable document.
    `ocr` reads a PDF without a text layer; without it such a PDF is refused."""
    if not data.strip():
        raise NotAPlan("empty file", "Tệp rỗng, không có nội dung kế hoạch.")
    if len(data) > MAX_BYTES:
        raise NotAPlan(
            f"file too large ({len(data)} bytes)",
            f"Tệp quá lớn ({len(data) // (1024 * 1024)} MB); một kế hoạch thường "
            f"dưới {MAX_BYTES // (1024 * 1024)} MB.",
        )
    suffix = suffix.lower()
    if suffix == ".docx":
        text = docx_text(data)
    elif suffix == ".pdf":
        text = _read_pdf(data, ocr)
    elif suffix in _TEXT_SUFFIXES:
        text = _read_text(data)
    else:
        raise NotAPlan(
            f"unsupported file type {suffix!r}",
            f"Không đọc được tệp {suffix}; hãy dùng .docx, .pdf, .txt hoặc .md.",
        )
    return normalise_document(reflow(text))
