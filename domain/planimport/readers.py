"""Plan documents in, text out: .txt/.md as they are, .docx paragraphs and tables, .pdf's
text layer. A PDF without a text layer (a scan) is refused rather than read as empty."""

import io
import re

from domain.planimport.docx_text import docx_text
from domain.planimport.refusal import NotAPlan
from domain.planimport.text import PARAGRAPH_START, normalise_document

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
        text = docx_text(data)
    elif suffix == ".pdf":
        text = _read_pdf(data)
    elif suffix in _TEXT_SUFFIXES:
        text = _read_text(data)
    else:
        raise NotAPlan(f"unsupported file type {suffix!r}",
                       f"Không đọc được tệp {suffix}; hãy dùng .docx, .pdf, .txt hoặc .md.")
    return normalise_document(reflow(text))


_MARKER_LINE = re.compile(
    r"^\s*(?:[IVX]{1,5}\.|\d{1,2}(?:\.\d{1,2}){0,3}\.|[a-zđ]\)|[-–•+])(?:\s|$)")
# A colon at a line's end may be a wrapped label ("Nhóm 1:" + its text): not an end here.
_SENTENCE_END = re.compile(r"[.;!?]\s*$")
# Header and signature lines that stand alone in a document's layout.
_OWN_LINE = re.compile(
    r"^\s*(?:Số\s*:|Nơi nhận|KẾ HOẠCH\s*$|QUYẾT ĐỊNH\s*$|CỘNG HÒA|TM\.|KT\.|Căn cứ"
    r"|[^,\d]{2,40}, ngày \d)"
)


def reflow(text: str) -> str:
    """Paragraph breaks for text that has none (a PDF's text layer, a pasted copy).

    Wrapped text with blank lines between paragraphs is left as it is: there a line may
    start with "1." in the middle of a sentence. Without blank lines, a paragraph starts at
    an outline marker ("II.", "2.1.", "a)", "-") or after a line that ends a sentence.
    """
    lines = text.split("\n")
    blank = sum(1 for line in lines if not line.strip())
    if len(lines) < 30 or blank / len(lines) >= 0.05:
        return text
    lengths = sorted(len(line.rstrip()) for line in lines if line.strip())
    full = lengths[int(len(lengths) * 0.9)] * 0.85 if lengths else 0
    out: list[str] = []
    for index, line in enumerate(lines):
        previous = lines[index - 1] if index else ""
        # "kết nối cung" + "– cầu hàng hóa": after a full line that ends mid-sentence, a
        # marker is the wrap of a dash or number inside the sentence.
        wrapped = len(previous.rstrip()) >= full and not _SENTENCE_END.search(previous)
        bare_marker = bool(re.fullmatch(r"\s*(?:[IVX]{1,5}|\d{1,2}(?:\.\d{1,2}){0,3})\.\s*",
                                        previous))
        starts = (_MARKER_LINE.match(line) and not wrapped) or _OWN_LINE.match(line)
        # A short numbered line is a heading ("3. Sở Thông tin và Truyền thông").
        marker = _MARKER_LINE.match(previous)
        heading = (marker is not None and len(previous) < 80 and line[:1].isupper()
                   and len(previous[marker.end() :].split()) >= 2  # not a bare "IV."
                   and not (previous.isupper() and line.isupper()))  # "V. TỔ CHỨC" "THỰC HIỆN"
        if index and not bare_marker and (starts or heading or _SENTENCE_END.search(previous)
                      or (_OWN_LINE.match(previous) and not previous.strip().startswith("Căn cứ"))):
            line = PARAGRAPH_START + line  # not a new line: line numbers stay the source's
        out.append(line)
    return "\n".join(out)
