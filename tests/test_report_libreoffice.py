"""The demo's consolidated report of plan 516, opened in LibreOffice (headless) and read
back as text: the standard sections, totals by content area equal to the sums of the
accepted reports, Phụ lục I, the late and missing annex and the signing block the plan names.

One conversion for the module (it takes seconds); every test reads its text.
"""

import datetime as dt
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from domain import reportform
from domain.planfile import load_plan
from domain.report import facts, render_docx
from domain.vocabulary import number_vi
from schemas.calendar import VN_TZ
from schemas.consolidation import ConsolidationInput
from schemas.plan import NormalizedPlan
from schemas.store import Assignment, Submission

PLAN = Path(__file__).parents[1] / "plans" / "516-KH-UBND-2023.yaml"
DUE = dt.datetime(2023, 11, 10, tzinfo=VN_TZ)  # "trước ngày 10/11/2023": on time through 09/11
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

pytestmark = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice is not installed (Debian: apt-get install libreoffice-writer-nogui; "
    "./dev test installs it when run as root)",
)


@dataclass(frozen=True)
class Demo:
    plan: NormalizedPlan
    report: ConsolidationInput
    accepted_figures: list[dict[str, float]]
    text: str


def _row(code: str, *, status: str, outcome: str | None, overdue: bool = False) -> Assignment:
    at = dt.datetime(2023, 3, 10, 8, tzinfo=VN_TZ)
    return Assignment(
        id=f"kh/516-KH-UBND/KL.1/{code}/2023",
        plan_id="516/KH-UBND",
        duty_id="KL.1",
        agency_code=code,
        period="2023",
        due_at=DUE,
        original_due_at=DUE,
        status=status,
        created_at=at,
        updated_at=at,
        overdue=overdue,
        outcome=outcome,
    )


def _demo_input(plan: NormalizedPlan) -> tuple[ConsolidationInput, list[dict[str, float]]]:
    """Every assignee of KL.1 but the last two reports (the first seven late); the last but
    one sent a report still awaiting approval, whose figures must not count."""
    form = plan.plan.report_form
    assert form is not None
    codes = next(d for d in plan.duties if d.id == "KL.1").assignees
    rows: list[Assignment] = []
    latest: dict[str, Submission] = {}
    counted: list[dict[str, float]] = []
    for index, code in enumerate(codes):
        figures = {i.code: float((index + 1) * (n + 2)) for n, i in enumerate(form.indicators)}
        figures["kinh_phi"] = 1_500_000.0 * (index + 1)
        body = reportform.compose(
            form,
            reportform.FormAnswers(
                parts={
                    "ket_qua": f"Đã triển khai các nhiệm vụ năm 2023 ({index}).",
                    "kho_khan": "Thiếu cán bộ chuyên trách." if index == 3 else "",
                    "de_xuat": "Đề nghị bố trí kinh phí tập huấn năm 2024." if index == 5 else "",
                },
                figures=figures,
            ),
        )
        if index >= len(codes) - 2:
            awaiting = index == len(codes) - 2
            rows.append(
                _row(
                    code, status="submitted" if awaiting else "assigned", outcome=None, overdue=True
                )
            )
            continue
        late = index < 7
        row = _row(code, status="accepted", outcome="late" if late else "on_time")
        rows.append(row)
        sent = dt.datetime(2023, 11, 13 if late else 8, 9, tzinfo=VN_TZ)
        latest[row.id] = Submission(
            id=index,
            assignment_id=row.id,
            version=1,
            submitted_by=f"daumoi@{code.lower()}.example",
            body=body,
            attachments=[],
            idempotency_key=None,
            submitted_at=sent,
        )
        counted.append(figures)
    report = facts.consolidation_input(
        plan,
        duty_id="KL.1",
        year=2023,
        period=None,
        report_date=dt.date(2023, 11, 15),
        assignments=rows,
        latest=latest,
    )
    return report, counted


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    plan = load_plan(PLAN)
    report, counted = _demo_input(plan)
    folder = tmp_path_factory.mktemp("libreoffice")
    source = folder / "bao-cao-ket-qua.docx"
    source.write_bytes(render_docx(report))
    assert SOFFICE is not None
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "txt:Text (encoded):UTF8",
            "--outdir",
            str(folder),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    text = (folder / "bao-cao-ket-qua.txt").read_text(encoding="utf-8-sig")
    yield Demo(plan=plan, report=report, accepted_figures=counted, text=text)


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def test_the_report_has_the_standard_sections_in_order(demo: Demo) -> None:
    found = [
        line
        for line in lines(demo.text)
        if line
        in (
            "I. CÔNG TÁC CHỈ ĐẠO, TRIỂN KHAI",
            "II. KẾT QUẢ THỰC HIỆN",
            "III. ĐÁNH GIÁ CHUNG",
            "IV. PHƯƠNG HƯỚNG NHIỆM VỤ THỜI GIAN TỚI",
            "V. ĐỀ XUẤT, KIẾN NGHỊ",
            "PHỤ LỤC I",
            "PHỤ LỤC II",
            "PHỤ LỤC III",
            "PHỤ LỤC IV",
        )
    ]
    assert [
        "I. CÔNG TÁC CHỈ ĐẠO, TRIỂN KHAI",
        "II. KẾT QUẢ THỰC HIỆN",
        "III. ĐÁNH GIÁ CHUNG",
        "IV. PHƯƠNG HƯỚNG NHIỆM VỤ THỜI GIAN TỚI",
        "V. ĐỀ XUẤT, KIẾN NGHỊ",
        "PHỤ LỤC I",
        "PHỤ LỤC II",
        "PHỤ LỤC III",
        "PHỤ LỤC IV",
    ] == found
    assert "Thời gian chốt số liệu: từ ngày 09/3/2023 đến ngày 09/11/2023." in demo.text
    assert "Gia Lai, ngày      tháng      năm 2023" in demo.text  # the clerk dates it
    assert "Số:      /BC-STTTT" in demo.text


def test_part_one_counts_and_names_who_has_not_reported(demo: Demo) -> None:
    names = {a.code: a.name for a in demo.plan.agencies}
    codes = next(d for d in demo.plan.duties if d.id == "KL.1").assignees
    total = len(codes)
    unsent = ", ".join(names[c] for c in codes[-2:])
    assert (
        f"- {total - 2}/{total} cơ quan, đơn vị đã gửi báo cáo (7 gửi chậm); chưa gửi: {unsent}."
        in lines(demo.text)
    )


def test_indicator_totals_by_content_area_are_the_sums_of_the_accepted_reports(
    demo: Demo,
) -> None:
    form = demo.plan.plan.report_form
    assert form is not None
    text = " ".join(lines(demo.text))
    for indicator in form.indicators:
        total = sum(f[indicator.code] for f in demo.accepted_figures)
        assert f"- {indicator.label}: {number_vi(total)} {indicator.unit} (" in text
    part_two = text.split("II. KẾT QUẢ THỰC HIỆN")[1].split("III. ĐÁNH GIÁ CHUNG")[0]
    area = part_two.split("(mục II.2.a)")[1].split("(mục II.2.b)")[0]
    assert "Số tin, bài tuyên truyền thông tin đối ngoại" in area
    assert "Số đoàn khách quốc tế" not in area
    # Phụ lục II: each agency's figure, and the same total.
    annex = demo.text.split("PHỤ LỤC II\n")[1].split("PHỤ LỤC III\n")[0]
    for indicator in form.indicators:
        table = annex.split(f"{indicator.label} (đơn vị tính: {indicator.unit})")[1]
        cells = lines(table)
        total = sum(f[indicator.code] for f in demo.accepted_figures)
        assert number_vi(total) == cells[cells.index("Tổng cộng") + 1]


def test_the_agencies_proposals_and_difficulties_are_quoted(demo: Demo) -> None:
    names = {a.code: a.name for a in demo.plan.agencies}
    codes = next(d for d in demo.plan.duties if d.id == "KL.1").assignees
    body = lines(demo.text)
    assert f"- {names[codes[5]]}: Đề nghị bố trí kinh phí tập huấn năm 2024." in body
    assert f"- {names[codes[3]]}: Thiếu cán bộ chuyên trách." in body


def test_annex_one_lists_every_duty_but_the_report_itself(demo: Demo) -> None:
    annex = demo.text.split("PHỤ LỤC I\n")[1].split("PHỤ LỤC II\n")[0]
    cells = lines(annex)
    assert "Đã báo cáo kết quả" in cells  # continuous duties, told in the annual reports
    for heading in ("Nhiệm vụ", "Cơ quan chủ trì", "Thời hạn", "Kết quả", "Tình trạng"):
        assert heading in cells
    duties = [d for d in demo.plan.duties if d.id != "KL.1"]
    started = [c.split(". ", 1)[0] for c in cells if ". " in c]
    assert sorted(d.clause for d in duties) == sorted(
        c for c in started if c in {d.clause for d in duties}
    )
    assert len(duties) == len(demo.report.duties)
    # The Office's duties come before the departments', the districts' group duties last.
    assert started.index("III.4.1") < started.index("III.5.1") < started.index("III.14.1")


def test_annex_two_lists_the_late_and_the_missing(demo: Demo) -> None:
    names = {a.code: a.name for a in demo.plan.agencies}
    codes = next(d for d in demo.plan.duties if d.id == "KL.1").assignees
    annex = demo.text.split("PHỤ LỤC III\n")[1].split("PHỤ LỤC IV\n")[0]
    for code in codes[:7]:
        assert names[code] in annex
    for code in codes[-2:]:
        assert names[code] in annex
    assert "Quá hạn, chưa gửi" in annex


def test_the_signing_block_is_the_departments_director_with_its_recipients(demo: Demo) -> None:
    body = lines(demo.text.split("PHỤ LỤC I\n")[0])
    assert "GIÁM ĐỐC" in body
    assert "PHÓ CHỦ TỊCH" not in body
    for line in (
        "Nơi nhận:",
        "- Ủy ban nhân dân tỉnh Gia Lai (để báo cáo);",
        "- Bộ Thông tin và Truyền thông (để báo cáo);",
        "- Lưu: VT.",
    ):
        assert line in body
    assert any(
        line.endswith(
            "Sở Thông tin và Truyền thông tỉnh Gia Lai kính báo cáo Ủy ban nhân dân tỉnh Gia Lai./."
        )
        for line in body
    )
