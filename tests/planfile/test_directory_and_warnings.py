"""The provincial directory (mailbox-only agencies, nested and open groups) and the warnings
`plan check` gives about what it accepts but finds inconsistent."""

import subprocess
import sys
from pathlib import Path

import pytest

from domain.planfile import check_plan
from schemas.errors import PlanError

HERE = Path(__file__).parent

DIRECTORY = """\
province: Thử nghiệm
as_of: 2025-07-01
agencies:
  - {code: UBND_TINH, name: Ủy ban nhân dân tỉnh, kind: ubnd_tinh,
     leader: {name: Lãnh đạo, title: Chủ tịch, email: lanhdao@ubnd.test.example},
     focal: {name: Đầu mối, title: Chuyên viên, email: daumoi@ubnd.test.example}}
  - {code: VP_UBND, name: Văn phòng UBND tỉnh, kind: van_phong_ubnd, mailbox: vp@test.example}
  - {code: SKHCN, name: Sở Khoa học và Công nghệ, kind: so, mailbox: skhcn@test.example,
     focal: {name: Chị Lan, title: Chuyên viên, email: lan@skhcn.test.example}}
  - {code: XA_A, name: Xã A, kind: xa_phuong, mailbox: xa-a@test.example}
  - {code: PHUONG_B, name: Phường B, kind: xa_phuong, mailbox: phuong-b@test.example}
  - {code: HOI_X, name: Hội X, kind: hoi, mailbox: hoi-x@test.example}
groups:
  - {code: "@xa_phuong", name: "các xã, phường", members: [XA_A, PHUONG_B]}
  - {code: "@dia_phuong", name: "các cơ quan, đơn vị, địa phương", members: [SKHCN, "@xa_phuong"]}
  - {code: "@lien_quan", name: "các cơ quan, tổ chức có liên quan", open: true}
"""

PLAN = """\
plan:
  number: 7/KH-UBND
  title: Kế hoạch thử nghiệm
  issuer: UBND_TINH
  issued_on: 2025-11-17
  place: Thử nghiệm
  signer: {name: Người ký, title: KT. Chủ tịch – Phó Chủ tịch}
  span: {start: 2025-11-17, end: 2026-12-31}
  coordinator: SKHCN
  office: VP_UBND
  final_report:
    recipient: UBND_TINH
    via: SKHCN
    duty: KL.1
    {final_deadline}
  {resolved}
agencies_file: directory.yaml
duties:
  - id: KL.1
    clause: KL.1
    section: KL
    text: Báo cáo kết quả trước ngày 15 hằng tháng.
    lead: ["@dia_phuong"]
    deliverable: report
    deadline: {kind: recurring, frequency: monthly, due: {month_of_period: 1, day: 15},
               before: true, text: trước ngày 15 hằng tháng}
  - id: IV.2
    clause: IV.2
    section: IV
    text: Phối hợp triển khai.
    lead: ["@lien_quan"]
    deadline: {kind: continuous, text: thường xuyên}
"""


def _write(tmp_path: Path, *, final_deadline: str = "", resolved: str = "") -> Path:
    (tmp_path / "directory.yaml").write_text(DIRECTORY, encoding="utf-8")
    path = tmp_path / "plan.yaml"
    text = PLAN.replace("{final_deadline}", final_deadline).replace("{resolved}", resolved)
    path.write_text(text, encoding="utf-8")
    return path


def test_mailbox_only_agencies_get_their_mailbox_for_every_missing_contact(tmp_path: Path) -> None:
    plan, _ = check_plan(_write(tmp_path))
    office = plan.agency("VP_UBND")
    assert ("vp@test.example", "vp@test.example") == (office.leader.email, office.focal.email)
    science = plan.agency("SKHCN")
    assert ("skhcn@test.example", "lan@skhcn.test.example") == (
        science.leader.email,
        science.focal.email,
    )


def test_nested_groups_expand_to_their_agencies_once(tmp_path: Path) -> None:
    plan, _ = check_plan(_write(tmp_path))
    assert ["SKHCN", "XA_A", "PHUONG_B"] == plan.duties[0].assignees


def test_an_open_group_is_resolved_by_the_plan_or_warned_about(tmp_path: Path) -> None:
    plan, warnings = check_plan(_write(tmp_path))
    assert [] == plan.duties[1].assignees
    assert any("nhóm mở" in w.expected and w.field == "duties[1].lead[0]" for w in warnings)
    resolved = 'resolved_groups: {"@lien_quan": [HOI_X]}'
    plan, warnings = check_plan(_write(tmp_path, resolved=resolved))
    assert ["HOI_X"] == plan.duties[1].assignees
    assert not any("nhóm mở" in w.expected for w in warnings)


def test_a_final_report_on_one_date_for_a_monthly_duty_is_warned_about(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        final_deadline="deadline: {kind: date, due: 2026-11-15, text: trước ngày 15/11/2026}",
    )
    _, warnings = check_plan(path)
    (warning,) = [w for w in warnings if "định kỳ monthly" in w.expected]
    assert "duties[0].deadline.frequency" == warning.field
    assert PLAN.splitlines().index('    lead: ["@dia_phuong"]') + 3 == warning.line
    result = subprocess.run(
        [sys.executable, "-m", "kehoach", "plan", "check", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert 0 == result.returncode
    assert "Cảnh báo" in result.stdout and "chỉ tổng hợp một lần" in result.stdout


def test_a_directory_agency_without_mailbox_or_both_contacts_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path)
    (tmp_path / "directory.yaml").write_text(
        DIRECTORY.replace("mailbox: xa-a@test.example", "short_name: A"), encoding="utf-8"
    )
    with pytest.raises(PlanError) as refused:
        check_plan(path)
    (problem,) = refused.value.problems
    assert "agencies[3]" == problem.field and "mailbox" in problem.expected
    assert problem.file.endswith("directory.yaml") and 10 == problem.line


def test_a_group_that_contains_itself_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path)
    (tmp_path / "directory.yaml").write_text(
        DIRECTORY.replace("members: [XA_A, PHUONG_B]", 'members: [XA_A, "@dia_phuong"]'),
        encoding="utf-8",
    )
    with pytest.raises(PlanError) as refused:
        check_plan(path)
    assert any("chính nó" in p.expected for p in refused.value.problems)
