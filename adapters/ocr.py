"""Reading scanned plans: poppler's `pdftoppm` renders each page, Tesseract's Vietnamese
model (`tesseract-ocr-vie`, installed by `./dev test` as root, like Chromium) reads it.

Both run as subprocesses with a time limit, on files in a private temporary folder; no
network, no model downloaded at run time. Without the programs, `pdf_ocr()` is None and a
scanned PDF is refused with the importer's message rather than read as empty.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import structlog

log = structlog.get_logger(__name__)
PAGE_SECONDS = 120
MAX_PAGES = 60
DPI = 300
OnPage = Callable[[int, int], None]


def ocr_available() -> bool:
    """Whether pdftoppm, tesseract and its Vietnamese model are installed."""
    if shutil.which("pdftoppm") is None or shutil.which("tesseract") is None:
        return False
    try:
        langs = subprocess.run(
            ["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "vie" in langs.stdout.split()


def read_scanned_pdf(data: bytes, *, on_page: OnPage | None = None, dpi: int = DPI) -> str:
    """The text of every page of a scanned PDF, pages in order, "" if none could be read.
    `dpi`: the resolution pages are rendered at (300 suits office scans)."""
    with tempfile.TemporaryDirectory(prefix="kehoach-ocr-") as folder:
        work = Path(folder)
        (work / "scan.pdf").write_bytes(data)
        try:
            subprocess.run(
                [
                    *("pdftoppm", "-r", str(dpi), "-gray", "-png", "-l", str(MAX_PAGES)),
                    *(str(work / "scan.pdf"), str(work / "page")),
                ],
                capture_output=True,
                timeout=PAGE_SECONDS * 4,
                check=True,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            log.warning("ocr_render_failed", error=type(exc).__name__)
            return ""
        pages = sorted(work.glob("page-*.png"))
        texts = []
        for number, page in enumerate(pages, start=1):
            if on_page is not None:
                on_page(number, len(pages))
            texts.append(_read_page(page))
        log.info("ocr_read", pages=len(pages), chars=sum(len(t) for t in texts))
        return "\n".join(texts)


def _read_page(image: Path) -> str:
    try:
        done = subprocess.run(
            ["tesseract", str(image), "stdout", "-l", "vie", "--psm", "4"],
            # One thread: Tesseract's OpenMP threads slow it down several times over on a
            # machine whose cores are busy with other work (the worker, the portal).
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},
            capture_output=True,
            text=True,
            timeout=PAGE_SECONDS,
            check=True,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("ocr_page_failed", page=image.name, error=type(exc).__name__)
        return ""
    return done.stdout


def pdf_ocr(on_page: OnPage | None = None, *, dpi: int = DPI) -> Callable[[bytes], str] | None:
    """The OCR the importer's reader takes, or None when it is not installed."""
    if not ocr_available():
        return None
    return lambda data: read_scanned_pdf(data, on_page=on_page, dpi=dpi)
