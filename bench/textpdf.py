"""A PDF with a text layer, written by hand (no PDF writer with text in the dependencies):
the scorer prints plans to PDF with it (`import_score --as-pdf`) and the tests read one.

One Type1 font (Helvetica) whose encoding maps codes 128–255 to the Vietnamese letters the
text uses, by their glyph names ("/uni1EC7"), so a PDF reader gives the letters back.
"""

import textwrap

LINES_PER_PAGE = 60


def _escape(line: str, code: dict[str, int]) -> bytes:
    out = bytearray()
    for char in line:
        if char in code:
            out.append(code[char])
        elif char in "()\\":
            out += b"\\" + char.encode()
        elif 32 <= ord(char) <= 126:
            out += char.encode()
        else:
            out += b"?"
    return bytes(out)


def text_pdf(text: str, *, width: int = 95) -> bytes:
    """The text, wrapped at `width` like a printed page, as a PDF with a text layer."""
    lines = [part for line in text.split("\n") for part in (textwrap.wrap(line, width) or [""])]
    extra = sorted({c for c in text if ord(c) > 126})
    if len(extra) > 127:
        raise ValueError("more distinct letters than one simple font can encode")
    code = {c: 128 + i for i, c in enumerate(extra)}
    differences = " ".join(f"/uni{ord(c):04X}" for c in extra)
    pages = [lines[i : i + LINES_PER_PAGE] for i in range(0, len(lines), LINES_PER_PAGE)]
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{' '.join(f'{4 + 2 * i} 0 R' for i in range(len(pages)))}] "
        f"/Count {len(pages)} >>".encode(),
        f"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Type /Encoding "
        f"/BaseEncoding /WinAnsiEncoding /Differences [128 {differences}] >> >>".encode(),
    ]
    for index, page in enumerate(pages):
        stream = (
            b"BT /F1 9 Tf 30 810 Td 12 TL\n"
            + b"".join(b"(" + _escape(line, code) + b") '\n" for line in page)
            + b"ET"
        )
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font "
            f"<< /F1 3 0 R >> >> /Contents {5 + 2 * index} 0 R >>".encode()
        )
        objects.append(f"<< /Length {len(stream)} >>\nstream\n".encode() + stream + b"\nendstream")
    return pdf_file(objects)


def pdf_file(objects: list[bytes]) -> bytes:
    """A PDF file of these objects (numbered from 1, the first the catalogue), with its
    cross-reference table and trailer."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)
