"""Plan 516/KH-UBND (2023, another layout than the 2025 corpus) against its hand-written
plan file: the importer must find the same agencies, duty units and closing report."""

from collections import Counter
from pathlib import Path

import yaml

from domain.planimport import import_plan, read_document
from schemas.plan import AgencyDirectory

REPO = Path(__file__).parents[2]
SEED = REPO / "plans" / "sources" / "516-KH-UBND-2023.txt"
PLAN = yaml.safe_load((REPO / "plans" / "516-KH-UBND-2023.yaml").read_text(encoding="utf-8"))
DIRECTORY = AgencyDirectory.model_validate(
    yaml.safe_load((REPO / "plans" / "agencies-gia-lai-2023.yaml").read_text(encoding="utf-8"))
)
DRAFT = import_plan(read_document(SEED.read_bytes(), ".txt"), source=SEED.name, directory=DIRECTORY)


def test_duty_units_per_item_of_section_iii_match_the_hand_written_plan() -> None:
    expected = Counter(d["clause"].split(".")[1] for d in PLAN["duties"] if d["section"] == "III")
    read = {a.sections[0].split(".")[1]: len(a.duties) for a in DRAFT.agencies}
    assert dict(expected) == read


def test_each_item_is_given_to_the_agencies_of_the_hand_written_plan() -> None:
    # The plan file splits a two-body item's bullets between lead and coordinating; the
    # importer gives the item to every body its heading names. So, per item: every lead of
    # the plan file is read, and nothing is read that the plan file does not name.
    leads: dict[str, set[str]] = {}
    named: dict[str, set[str]] = {}
    for duty in PLAN["duties"]:
        if duty["section"] == "III":
            item = duty["clause"].split(".")[1]
            leads.setdefault(item, set()).update(duty["lead"])
            named.setdefault(item, set()).update(duty["lead"], duty.get("coordinating", []))
    for agency in DRAFT.agencies:
        match = agency.match
        assert match is not None
        item = agency.sections[0].split(".")[1]
        read = set(match.members or [match.code])
        assert leads[item] <= read <= named[item], (item, read)


def test_the_closing_report_is_due_10_november_via_the_information_department() -> None:
    report = DRAFT.final_report
    assert report is not None
    assert ("Ủy ban nhân dân tỉnh", "Sở Thông tin và Truyền thông") == (report.to, report.via)
    assert ["2023-11-10"] == [d.date for d in report.deadlines if d.kind == "date"]
    assert ["adhoc"] == [d.kind for d in report.deadlines if d.kind != "date"]


def test_the_nine_dated_or_periodic_duties_are_read_where_the_plan_file_has_them() -> None:
    kinds = {
        a.sections[0]: sorted({x.recurrence or "periodic" for d in a.duties for x in d.deadlines})
        for a in DRAFT.agencies
    }
    assert ["periodic"] == kinds["III.3"]  # sơ kết, tổng kết định kỳ
    assert ["semiannual"] == kinds["III.5"]  # Tập san 02 số/năm
    assert ["annual"] == kinds["III.9"]  # hằng năm, khi xây dựng dự toán


def test_coordinating_agencies_are_read_from_phoi_hop_voi_and_matched() -> None:
    by_text = {" ".join(d.phrase.split())[:60]: d for a in DRAFT.agencies for d in a.duties}
    found = 0
    expected = [d for d in PLAN["duties"] if d["section"] == "III" and d.get("coordinating")]
    for duty in expected:
        draft = by_text[" ".join(duty["text"].split())[:60]]
        codes = {
            c
            for m in draft.coordinating_matches
            for c in (m.members or ([m.code] if m.code else []))
        }
        found += set(duty["coordinating"]) <= codes
    # Not read yet: coordination written as "gửi … cho Sở X" / "cung cấp … cho Sở X" (3 of
    # the 9), and "các sở, ban, ngành, đơn vị, địa phương thuộc tỉnh" as the group (1).
    assert found >= 5, f"{found} of {len(expected)}"
