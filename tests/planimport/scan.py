"""A scanned page for the OCR test: the text printed to PDF by Chromium (real fonts with
every Vietnamese letter), rendered to pixels by poppler, and wrapped as an image-only PDF,
the way a scanner's PDF has no text layer."""

import html
import re
import subprocess
import zlib
from pathlib import Path

from bench.textpdf import pdf_file

CHROMIUM = Path("/usr/bin/chromium")
DPI = 150


def _pgm(data: bytes) -> tuple[int, int, bytes]:
    """Width, height and 8-bit pixels of a binary PGM (P5)."""
    header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    assert header is not None and header[3] == b"255"
    return int(header[1]), int(header[2]), data[header.end() :]


def image_pdf(width: int, height: int, pixels: bytes) -> bytes:
    """A one-page PDF holding only a grey image (no text layer), at DPI."""
    points = (width * 72 / DPI, height * 72 / DPI)
    content = f"q {points[0]:.2f} 0 0 {points[1]:.2f} 0 0 cm /Scan Do Q".encode()
    image = zlib.compress(pixels)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {points[0]:.2f} {points[1]:.2f}] "
        "/Resources << /XObject << /Scan 4 0 R >> >> /Contents 5 0 R >>".encode(),
        f"<< /Type /XObject /Subtype /Image /Width {width} /Height {height} "
        f"/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode "
        f"/Length {len(image)} >>\nstream\n".encode()
        + image
        + b"\nendstream",
        f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream",
    ]
    return pdf_file(objects)


def scanned_pdf(text: str, folder: Path) -> bytes:
    """The text as one scanned A4 page (image only)."""
    page = folder / "page.html"
    page.write_text(
        "<!DOCTYPE html><meta charset='utf-8'><style>@page { size: A4; margin: 12mm }"
        "pre { font: 9.5pt/1.2 'DejaVu Sans', sans-serif; white-space: pre-wrap }</style>"
        f"<pre>{html.escape(text)}</pre>",
        encoding="utf-8",
    )
    printed = folder / "printed.pdf"
    subprocess.run(
        [
            *(str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu"),
            *("--no-pdf-header-footer", f"--print-to-pdf={printed}", page.as_uri()),
        ],
        capture_output=True,
        timeout=60,
        check=True,
    )
    subprocess.run(
        [
            *("pdftoppm", "-r", str(DPI), "-gray", "-singlefile", "-f", "1", "-l", "1"),
            *(str(printed), str(folder / "scan")),
        ],
        capture_output=True,
        timeout=60,
        check=True,
    )
    return image_pdf(*_pgm((folder / "scan.pgm").read_bytes()))
