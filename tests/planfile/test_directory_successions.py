"""A directory version's mergers and renamings: what `kehoach directory check` and `plan check`
accept, and the Vietnamese refusals of a successor that cannot be (unknown, in another
province, leading back to the agency merged)."""

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from domain.assign import batch_inputs
from domain.planfile import check_directory
from domain.succession import holder_on
from kehoach.cli import app
from schemas.errors import PlanError
from schemas.plan import Succession
from tests.factories import CALENDAR, merged_communes_plan
from tests.planfile.test_directory_and_warnings import DIRECTORY, PLAN

HEAD = """\
province: Thử nghiệm
as_of: 2026-01-01
agencies:
  - {code: UBND_TINH, name: Ủy ban nhân dân tỉnh, kind: ubnd_tinh, mailbox: ubnd@test.example}
  - {code: XA_B, name: Xã B, kind: xa_phuong, mailbox: xa-b@test.example}
"""


def _directory(tmp_path: Path, merged: str) -> Path:
    path = tmp_path / "directory.yaml"
    path.write_text(HEAD + merged, encoding="utf-8")
    return path


def _refusal(tmp_path: Path, merged: str) -> str:
    with pytest.raises(PlanError) as refused:
        check_directory(_directory(tmp_path, merged))
    return "\n".join(problem.render() for problem in refused.value.problems)


def test_a_merged_commune_names_its_successor_and_the_day(tmp_path: Path) -> None:
    path = _directory(
        tmp_path,
        "  - {code: XA_A, name: Xã A, kind: xa_phuong, mailbox: xa-a@test.example,\n"
        "     successor: XA_B, effective: 2026-03-01, basis: Nghị quyết số 1/NQ-HĐND}\n",
    )
    assert [
        Succession(
            code="XA_A",
            successor="XA_B",
            effective=dt.date(2026, 3, 1),
            basis="Nghị quyết số 1/NQ-HĐND",
        )
    ] == check_directory(path).successions()
    result = CliRunner().invoke(app, ["directory", "check", str(path)])
    assert 0 == result.exit_code
    assert "XA_A (Xã A) → XA_B (Xã B) từ ngày 01/03/2026" in result.stdout


def test_an_unknown_successor_is_refused_naming_the_line(tmp_path: Path) -> None:
    message = _refusal(
        tmp_path,
        "  - {code: XA_A, name: Xã A, kind: xa_phuong, mailbox: xa-a@test.example,\n"
        "     successor: XA_C, effective: 2026-03-01}\n",
    )
    assert "directory.yaml:7: agencies[2].successor: giá trị 'XA_C'" in message
    assert "mã cơ quan tiếp nhận có trong danh bạ Thử nghiệm" in message


def test_a_successor_in_another_province_is_refused(tmp_path: Path) -> None:
    message = _refusal(
        tmp_path,
        "  - {code: XA_A, name: Xã A, kind: xa_phuong, mailbox: xa-a@test.example,\n"
        "     successor: Gia Lai/XA_B, effective: 2026-03-01}\n",
    )
    assert "phân công không chuyển sang tỉnh khác (Gia Lai)" in message


def test_mergers_leading_back_to_the_agency_merged_are_refused(tmp_path: Path) -> None:
    message = _refusal(
        tmp_path,
        "  - {code: XA_A, name: Xã A, kind: xa_phuong, mailbox: xa-a@test.example,\n"
        "     successor: XA_C, effective: 2026-03-01}\n"
        "  - {code: XA_C, name: Xã C, kind: xa_phuong, mailbox: xa-c@test.example,\n"
        "     successor: XA_A, effective: 2026-04-01}\n",
    )
    assert "không quay vòng về cơ quan cũ (XA_A → XA_C → XA_A)" in message
    assert "không quay vòng về cơ quan cũ (XA_C → XA_A → XA_C)" in message


def test_a_successor_needs_its_effective_day(tmp_path: Path) -> None:
    message = _refusal(
        tmp_path,
        "  - {code: XA_A, name: Xã A, kind: xa_phuong, mailbox: xa-a@test.example,\n"
        "     successor: XA_B}\n",
    )
    assert "successor (cơ quan tiếp nhận) và effective (từ ngày) đi cùng nhau" in message


def test_the_holder_follows_every_change_in_effect_on_the_day() -> None:
    chain = [
        Succession(code="XA_A", successor="XA_B", effective=dt.date(2026, 3, 1)),
        Succession(code="XA_B", successor="PHUONG_C", effective=dt.date(2026, 7, 1)),
    ]
    assert ["XA_A", "XA_B", "PHUONG_C", "XA_B"] == [
        holder_on("XA_A", dt.date(2026, 2, 28), chain),
        holder_on("XA_A", dt.date(2026, 3, 1), chain),
        holder_on("XA_A", dt.date(2026, 7, 1), chain),
        holder_on("XA_B", dt.date(2026, 6, 30), chain),
    ]


def test_a_batch_started_after_a_merger_gives_the_duty_to_the_successor_once() -> None:
    effective = dt.date(2026, 3, 1)
    plan = merged_communes_plan(effective=effective)
    duty = plan.duties[0].model_copy(update={"assignees": ["XA_A", "XA_B", "SNGV"]})

    def given(on: dt.date) -> list[tuple[str, str]]:
        inputs = batch_inputs(
            plan,
            duty,
            period="2026",
            last_day=None,
            calendar=CALENDAR,
            successions=plan.successions,
            on=on,
        )
        return [(i.agency, i.assignment_id) for i in inputs]

    assert [
        ("XA_A", "9-KH-UBND/III.5.4/XA_A/2026"),
        ("XA_B", "9-KH-UBND/III.5.4/XA_B/2026"),
        ("SNGV", "9-KH-UBND/III.5.4/SNGV/2026"),
    ] == given(effective - dt.timedelta(days=1))
    assert [
        ("XA_B", "9-KH-UBND/III.5.4/XA_B/2026"),
        ("SNGV", "9-KH-UBND/III.5.4/SNGV/2026"),
    ] == given(effective)


def test_plan_check_lists_the_directory_versions_changes(tmp_path: Path) -> None:
    merged = (
        "  - {code: XA_C, name: Xã C, kind: xa_phuong, mailbox: xa-c@test.example,\n"
        "     successor: XA_A, effective: 2026-07-01, basis: Nghị quyết số 2/NQ-HĐND}\n"
    )
    directory = DIRECTORY.replace("groups:\n", merged + "groups:\n")
    (tmp_path / "directory.yaml").write_text(directory, encoding="utf-8")
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN.replace("{final_deadline}", "").replace("{resolved}", ""), "utf-8")
    result = CliRunner().invoke(app, ["plan", "check", str(plan)])
    assert 0 == result.exit_code, result.stdout
    assert (
        "Sáp nhập, đổi tên: XA_C (Xã C) → XA_A (Xã A) từ ngày 01/07/2026, theo Nghị quyết số "
        "2/NQ-HĐND"
    ) in " ".join(result.stdout.split())  # the console wraps long lines
