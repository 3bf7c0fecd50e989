"""Scanned plans: a PDF without a text layer is read by Tesseract's Vietnamese model through
`adapters.ocr` (skipped where it is not installed), or refused in Vietnamese, never empty."""

from pathlib import Path

import pytest
from pypdf import PdfReader

from adapters.ocr import ocr_available, pdf_ocr
from domain.planimport import NotAPlan, import_plan, read_document
from tests.planimport.scan import CHROMIUM, image_pdf, scanned_pdf
from tests.planimport.scan import DPI as SCAN_DPI

FIXTURE = Path(__file__).parent / "fixtures" / "district-plan.txt"


@pytest.mark.skipif(
    not ocr_available() or not CHROMIUM.exists(),
    reason="needs tesseract with its Vietnamese model and poppler (apt-get install "
    "tesseract-ocr tesseract-ocr-vie poppler-utils; ./dev test installs them as root) and "
    "Chromium to print the page",
)
def test_a_scanned_plan_is_read_by_ocr(tmp_path: Path) -> None:
    scan = scanned_pdf(FIXTURE.read_text(encoding="utf-8"), tmp_path)
    pages: list[tuple[int, int]] = []
    ocr = pdf_ocr(on_page=lambda number, total: pages.append((number, total)), dpi=SCAN_DPI)
    assert ocr is not None
    (tmp_path / "scan.pdf").write_bytes(scan)
    assert "" == "".join(p.extract_text() for p in PdfReader(tmp_path / "scan.pdf").pages)
    draft = import_plan(read_document(scan, ".pdf", ocr=ocr), source="scan.pdf")
    names = [a.name for a in draft.agencies]
    dated = {d.date for a in draft.agencies for duty in a.duties for d in duty.deadlines}
    assert [(1, 1)] == pages
    assert ("85/KH-UBND", "2024-03-15") == (draft.header.number.value, draft.header.issued_on.value)
    assert "Phòng Tài chính - Kế hoạch" in names, names
    assert "2024-06-30" in dated, dated


def test_a_scan_ocr_cannot_read_is_refused_in_vietnamese() -> None:
    blank = image_pdf(8, 8, bytes([255]) * 64)
    with pytest.raises(NotAPlan) as refused:
        read_document(blank, ".pdf", ocr=lambda _: "")
    assert "OCR" in refused.value.message_vi and "bản quét" in refused.value.message_vi
