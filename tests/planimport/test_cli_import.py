"""`kehoach plan import`: outputs for a plan, refusals (exit 2, nothing written) otherwise."""

import io
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from docx import Document
from pypdf import PdfWriter
from typer.testing import CliRunner

from bench.textpdf import text_pdf
from kehoach.cli import app

REPO = Path(__file__).parents[2]
SEED = REPO / "plans" / "sources" / "516-KH-UBND-2023.txt"
DIRECTORY = REPO / "plans" / "agencies-gia-lai-2023.yaml"
runner = CliRunner()

LETTER = """ỦY BAN NHÂN DÂN
TỈNH GIA LAI

Số: 123/UBND-KGVX
V/v đôn đốc báo cáo kết quả

Gia Lai, ngày 05 tháng 6 năm 2023

Kính gửi: Sở Thông tin và Truyền thông.

Ủy ban nhân dân tỉnh đề nghị Sở Thông tin và Truyền thông khẩn trương báo cáo kết quả
trước ngày 10/6/2023.

Nơi nhận:
- Như trên;
- Lưu: VT.
"""

DECISION = """ỦY BAN NHÂN DÂN
TỈNH GIA LAI

Số: 45/QĐ-UBND

Gia Lai, ngày 05 tháng 6 năm 2023

QUYẾT ĐỊNH

Về việc công nhận danh hiệu thi đua

Điều 1. Công nhận danh hiệu Tập thể lao động xuất sắc cho Sở Y tế.

Điều 2. Quyết định này có hiệu lực kể từ ngày ký.
"""


def _import(file: Path, out: Path, *extra: str) -> tuple[int, str]:
    result = runner.invoke(app, ["plan", "import", str(file), "--out", str(out), *extra])
    return result.exit_code, result.output


def _notes(out: Path, stem: str) -> dict[str, Any]:
    """The review notes written beside the draft: source lines, confidence, names."""
    notes: dict[str, Any] = yaml.safe_load((out / f"{stem}.notes.yaml").read_text())
    return notes


def test_the_seed_plan_imports_into_a_draft_plan_file_and_a_review_report(tmp_path: Path) -> None:
    code, _ = _import(SEED, tmp_path / "out", "--directory", str(DIRECTORY))
    draft = yaml.safe_load((tmp_path / "out" / "516-KH-UBND-2023.draft.yaml").read_text())
    review = (tmp_path / "out" / "516-KH-UBND-2023.review.md").read_text()
    assert 0 == code
    assert "516/KH-UBND" == draft["plan"]["number"]
    assert {"recipient": "UBND_TINH", "via": "STTTT"} == {
        k: draft["plan"]["final_report"][k] for k in ("recipient", "via")
    }
    assert "2023-11-10" == draft["plan"]["final_report"]["deadline"]["due"]
    leads = {code for duty in draft["duties"] for code in duty["lead"]}
    assert {"STTTT", "SNGV", "SVHTTDL", "@ubnd_huyen", "BCH_BDBP"} <= leads
    assert all(
        duty["id"] in _notes(tmp_path / "out", "516-KH-UBND-2023")["duties"]
        for duty in draft["duties"]
    )
    assert "## 1. Cơ quan cần xác nhận" in review


def test_a_docx_plan_reads_like_its_text(tmp_path: Path) -> None:
    document = Document()
    for line in SEED.read_text(encoding="utf-8").split("\n\n"):
        document.add_paragraph(line.strip())
    docx = tmp_path / "516.docx"
    document.save(str(docx))
    code, _ = _import(docx, tmp_path / "out")
    draft = yaml.safe_load((tmp_path / "out" / "516.draft.yaml").read_text())
    assert 0 == code
    assert "516/KH-UBND" == draft["plan"]["number"]
    assert 14 == len(_notes(tmp_path / "out", "516")["agencies"])


def _blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("empty.txt", b"", "rỗng"),
        ("blank.txt", b"   \n\n  ", "rỗng"),
        ("binary.txt", bytes(range(256)) * 64, "nhị phân"),
        ("letter.txt", LETTER.encode(), "không phải một kế hoạch"),
        ("decision.txt", DECISION.encode(), "không phải một kế hoạch"),
        ("scan.pdf", _blank_pdf(), "bản quét"),
        ("broken.docx", b"PK\x03\x04 not a zip", ".docx"),
        ("plan.odt", b"some content", ".odt"),
    ],
)
def test_what_is_not_a_plan_is_refused_with_exit_code_2_and_nothing_written(
    tmp_path: Path, name: str, content: bytes, words: str
) -> None:
    file = tmp_path / name
    file.write_bytes(content)
    out = tmp_path / "out"
    code, output = _import(file, out)
    assert 2 == code
    assert "Không nhập được" in output and words in output
    assert not out.exists() or [] == list(out.iterdir())


def test_a_50_mb_file_is_refused_without_being_read(tmp_path: Path) -> None:
    file = tmp_path / "huge.pdf"
    with file.open("wb") as stream:
        stream.truncate(50 * 1024 * 1024)
    code, output = _import(file, tmp_path / "out")
    assert 2 == code
    assert "quá lớn" in output
    assert not (tmp_path / "out").exists()


def test_a_docx_with_word_list_numbering_keeps_its_outline(tmp_path: Path) -> None:
    """Word keeps "1." and "–" out of the paragraph text; the outline must not be lost."""
    document = Document()
    for block in SEED.read_text(encoding="utf-8").split("\n\n"):
        text = block.strip()
        if re.match(r"^\d{1,2}\. ", text):
            document.add_paragraph(text.split(" ", 1)[1], style="List Number")
        elif text.startswith("– "):
            document.add_paragraph(text[2:], style="List Bullet")
        else:
            document.add_paragraph(text)
    docx = tmp_path / "516-numbered.docx"
    document.save(str(docx))
    code, _ = _import(docx, tmp_path / "out")
    draft = yaml.safe_load((tmp_path / "out" / "516-numbered.draft.yaml").read_text())
    assert 0 == code
    assert 14 == len(_notes(tmp_path / "out", "516-numbered")["agencies"])
    assert 6 == len([d for d in draft["duties"] if d["heading"] == "Sở Ngoại vụ"])


def test_a_text_without_blank_lines_is_read_with_its_own_line_numbers(tmp_path: Path) -> None:
    flat = tmp_path / "516-flat.txt"
    flat.write_text(re.sub(r"\n\s*\n+", "\n", SEED.read_text(encoding="utf-8")), encoding="utf-8")
    code, _ = _import(flat, tmp_path / "out")
    assert "plan" in yaml.safe_load((tmp_path / "out" / "516-flat.draft.yaml").read_text())
    lines = flat.read_text(encoding="utf-8").split("\n")
    assert 0 == code
    assert 14 == len(_notes(tmp_path / "out", "516-flat")["agencies"])
    for agency in _notes(tmp_path / "out", "516-flat")["agencies"]:
        first = agency["lines"][0]
        assert agency["name"].split()[0] in lines[first - 1], agency


def test_the_seed_draft_passes_plan_check_as_written(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, _ = _import(SEED, out, "--directory", str(DIRECTORY))
    result = runner.invoke(app, ["plan", "check", str(out / "516-KH-UBND-2023.draft.yaml")])
    assert (0, 0) == (code, result.exit_code), result.output
    assert "Tổng: 48 nhiệm vụ" in result.output  # section III of the plan: 48 units


def test_a_pdf_with_a_text_layer_reads_like_its_text(tmp_path: Path) -> None:
    """A printed page has no blank lines between paragraphs and wraps every line."""
    pdf = tmp_path / "516.pdf"
    pdf.write_bytes(text_pdf(SEED.read_text(encoding="utf-8")))
    code, _ = _import(pdf, tmp_path / "out", "--directory", str(DIRECTORY))
    draft = yaml.safe_load((tmp_path / "out" / "516.draft.yaml").read_text())
    assert 0 == code
    assert ("516/KH-UBND", "2023-03-09") == (draft["plan"]["number"], draft["plan"]["issued_on"])
    assert 14 == len(_notes(tmp_path / "out", "516")["agencies"])
    assert "2023-11-10" == draft["plan"]["final_report"]["deadline"]["due"]
    assert 48 == len(draft["duties"])


def test_a_markdown_plan_with_headings_and_star_bullets_reads_like_its_text(
    tmp_path: Path,
) -> None:
    text = SEED.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^(I|II|III|IV|V)\. ", r"## \1. ", text)
    text = re.sub(r"(?m)^– ", "* ", text)
    markdown = tmp_path / "516.md"
    markdown.write_text(text, encoding="utf-8")
    code, _ = _import(markdown, tmp_path / "out")
    draft = yaml.safe_load((tmp_path / "out" / "516.draft.yaml").read_text())
    assert 0 == code
    assert (14, 48) == (len(_notes(tmp_path / "out", "516")["agencies"]), len(draft["duties"]))


def test_a_directory_file_that_is_not_a_directory_stops_with_a_message(tmp_path: Path) -> None:
    bad = tmp_path / "agencies.yaml"
    bad.write_text("province: Gia Lai\nagencies: []\n", encoding="utf-8")
    code, output = _import(SEED, tmp_path / "out", "--directory", str(bad))
    assert 1 == code
    assert "Không nhập được" in output
    assert not (tmp_path / "out").exists()
