"""The draft plan file of a document: every deadline phrase as one of the plan model's rules,
and for a province without a directory, a draft directory of proposed entries (open groups
for classes of bodies), never a guessed match."""

import datetime as dt
from pathlib import Path

from domain.planimport.document import import_document
from domain.planimport.to_planfile import deadline_rule
from schemas.plan import AgencyDirectory, PlanFile
from schemas.plan_draft import DraftDeadline

FIXTURE = Path(__file__).parent / "fixtures" / "district-plan.txt"
FILES = import_document(
    FIXTURE.read_bytes(),
    source=FIXTURE.name,
    suffix=".txt",
    directory=None,
    agencies_file="85.agencies.yaml",
).files


def test_each_deadline_phrase_becomes_a_rule_of_the_plan_model() -> None:
    rules = {d["id"]: d["deadline"] for d in FILES.plan["duties"]}
    assert {"kind": "none"} == rules["III.1.1"]
    assert {"frequency": "semiannual", "dates": ["06-15", "12-15"], "before": True} == {
        k: rules["III.1.2"][k] for k in ("frequency", "dates", "before")
    }
    assert ("date", "2024-06-30", True) == tuple(
        rules["III.2"][k] for k in ("kind", "due", "before")
    )
    assert ("quarter", "2024-Q3") == (rules["III.3"]["kind"], rules["III.3"]["quarter"])
    assert ("relative", 15, False) == tuple(
        rules["III.4.a"][k] for k in ("kind", "days", "working_days")
    )
    assert "continuous" == rules["III.4.b"]["kind"]


def test_the_draft_is_a_plan_file_with_its_span_said_to_be_assumed() -> None:
    plan = PlanFile.model_validate(FILES.plan)
    assert ("2024-03-15", "2024-12-31") == (str(plan.plan.span.start), str(plan.plan.span.end))
    assert plan.plan.interpretation is not None and "tạm tính" in plan.plan.interpretation
    assert "III.1.2" == plan.plan.final_report.duty
    assert "trước ngày 10/6" in (plan.plan.final_report.interpretation or "")


def test_without_a_directory_every_name_is_a_proposed_entry_with_placeholder_contacts() -> None:
    assert FILES.directory is not None
    directory = AgencyDirectory.model_validate(FILES.directory)
    groups = {g.code: g for g in directory.groups}
    assert ["@ubmttqvnhdt"] == list(groups) and groups["@ubmttqvnhdt"].open
    assert all(a.focal and a.focal.placeholder for a in directory.agencies)
    assert all(str(a.mailbox).endswith(".example") for a in directory.agencies)
    assert all(agency["proposed"] for agency in FILES.notes["agencies"])


def test_before_a_day_is_read_wherever_it_stands_in_the_phrase() -> None:
    monthly = DraftDeadline(
        phrase="hàng tháng (trước ngày 18 hàng tháng)",
        confidence=0.9,
        kind="recurring",
        recurrence="monthly",
        day_of_month=[18],
    )
    latest = DraftDeadline(
        phrase="chậm nhất ngày 17 tháng 12",
        confidence=0.9,
        kind="recurring",
        recurrence="annual",
        month_day=["12-17"],
    )
    assert {"month_of_period": 1, "day": 18} == deadline_rule(monthly, issued_on=None)["due"]
    assert deadline_rule(monthly, issued_on=None)["before"] is True
    assert "before" not in deadline_rule(latest, issued_on=None)


def test_a_date_before_the_plan_was_issued_stays_open_quoting_the_words() -> None:
    cited = DraftDeadline(
        phrase="trước ngày 01/11/2025",
        confidence=0.5,
        kind="date",
        recurrence="once",
        date="2025-11-01",
    )
    rule = deadline_rule(cited, issued_on=dt.date(2025, 11, 19))
    assert ("open", "trước ngày 01/11/2025") == (rule["kind"], rule["text"])
