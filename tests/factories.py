"""Small, real data for tests: a directory of five agencies and actors drawn from it."""

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import TypeVar

from schemas.assignment import ASSIGNMENT_SHAPE, Actor, AssignmentInput, DutyBrief
from schemas.calendar import WorkingCalendar
from schemas.plan import (
    AdHocDeadline,
    Agency,
    AgencyKind,
    ApprovalChain,
    Contact,
    DateDeadline,
    DueInPeriod,
    EscalationLadder,
    FinalReport,
    Mode,
    NormalizedDuty,
    NormalizedPlan,
    Plan,
    RecurringDeadline,
    ReminderPolicy,
    Signer,
    Span,
    Succession,
)

T = TypeVar("T")
PLAN_ID = "9/KH-UBND"
CALENDAR = WorkingCalendar.for_years(2023, 2030)


def _agency(
    code: str, name: str, kind: AgencyKind, *, report_endpoint: str | None = None
) -> Agency:
    host = code.lower().replace("_", "-")
    return Agency(
        code=code,
        name=name,
        kind=kind,
        report_endpoint=report_endpoint,
        leader=Contact(name=f"Lãnh đạo {name}", title="Lãnh đạo", email=f"lanhdao@{host}.example"),
        focal=Contact(name=f"Đầu mối {name}", title="Chuyên viên", email=f"daumoi@{host}.example"),
    )


AGENCIES = [
    _agency("UBND_TINH", "Ủy ban nhân dân tỉnh", "ubnd_tinh"),
    _agency("VP_UBND", "Văn phòng UBND tỉnh", "van_phong_ubnd"),
    _agency("STTTT", "Sở Thông tin và Truyền thông", "so"),
    _agency("SNGV", "Sở Ngoại vụ", "so"),
    _agency("UB_MTTQ", "Ủy ban MTTQ Việt Nam tỉnh", "mat_tran_doan_the"),
]


def tiny_plan(*, year: int = 2026, sngv_report_endpoint: str | None = None) -> NormalizedPlan:
    """A plan with one dated duty for SNGV and one requested duty for UB_MTTQ."""
    agencies = [
        a if a.code != "SNGV" else a.model_copy(update={"report_endpoint": sngv_report_endpoint})
        for a in AGENCIES
    ]
    due = DateDeadline(due=dt.date(year, 11, 10), before=True, text="trước ngày 10/11")

    def duty(duty_id: str, agency: str, mode: Mode) -> NormalizedDuty:
        return NormalizedDuty(
            id=duty_id,
            clause=duty_id,
            section="III",
            heading=None,
            text=f"Nhiệm vụ thử {duty_id}: báo cáo kết quả thực hiện.",
            lead=[agency],
            coordinating=[],
            assignees=[agency],
            mode=mode,
            deliverable="report",
            deadline=due,
            reminders=ReminderPolicy(),
            escalation=EscalationLadder(),
            approval=ApprovalChain(),
            basis=None,
        )

    return NormalizedPlan(
        plan=Plan(
            number=PLAN_ID,
            title="Kế hoạch thử nghiệm",
            issuer="UBND_TINH",
            issued_on=dt.date(year, 1, 5),
            place="Gia Lai",
            signer=Signer(name="Người ký", title="Phó Chủ tịch"),
            # Open-ended: the tests bound the years with RunOptions.until_year.
            span=Span(start=dt.date(year, 1, 5)),
            coordinator="STTTT",
            office="VP_UBND",
            final_report=FinalReport(recipient="UBND_TINH", via="STTTT", deadline=due),
        ),
        agencies=agencies,
        groups=[],
        duties=[duty("III.5.4", "SNGV", "assigned"), duty("III.1", "UB_MTTQ", "requested")],
    )


def actor(agency: str, role: str, *, email: str | None = None) -> Actor:
    """A person of the directory acting in a role (email derived like the directory's)."""
    host = agency.lower().replace("_", "-")
    box = "lanhdao" if role in ("leader", "coordinator_director", "vice_chairman") else "daumoi"
    return Actor(email=email or f"{box}@{host}.example", role=role, agency=agency)


def assignment_input(
    *,
    assignment_id: str,
    last_day: dt.date | None,
    agency: str = "SNGV",
    duty_id: str = "III.5.4",
    mode: Mode = "assigned",
    period: str = "2026",
    reminders: ReminderPolicy | None = None,
    pull_report: bool = False,
) -> AssignmentInput:
    """One assignment of the tiny plan."""
    name = next(a.name for a in AGENCIES if a.code == agency)
    return AssignmentInput(
        assignment_id=assignment_id,
        plan_id=PLAN_ID,
        plan_title="Kế hoạch thử nghiệm",
        duty=DutyBrief(id=duty_id, clause=duty_id, text=f"Nhiệm vụ thử {duty_id}."),
        mode=mode,
        agency=agency,
        agency_name=name,
        issuer="UBND_TINH",
        coordinator="STTTT",
        office="VP_UBND",
        period=period,
        last_day=last_day,
        reminders=reminders or ReminderPolicy(),
        calendar=CALENDAR,
        pull_report=pull_report,
        shape=ASSIGNMENT_SHAPE,
    )


async def eventually(
    probe: Callable[[], Awaitable[T]], ok: Callable[[T], bool], *, within: float = 10.0
) -> T:
    """Poll `probe` until `ok` holds (the server fires timers before the worker processes
    them, so a query right after a time skip may see the state just before)."""
    import asyncio

    deadline = asyncio.get_running_loop().time() + within
    while True:
        value = await probe()
        if ok(value) or asyncio.get_running_loop().time() > deadline:
            return value
        await asyncio.sleep(0.05)


def recurring_plan(*, year: int = 2026) -> NormalizedPlan:
    """The tiny plan plus a twice-yearly bulletin (due 20th of each half's last month), an
    ad-hoc report duty, and the dated report as the final report to consolidate."""
    base = tiny_plan(year=year)
    twice_yearly = RecurringDeadline(
        frequency="semiannual", due=DueInPeriod(month_of_period=6, day=20), text="định kỳ 02 số/năm"
    )
    bulletin = base.duties[0].model_copy(
        update={
            "id": "III.5.5",
            "clause": "III.5.5",
            "deadline": twice_yearly,
            "text": "Xuất bản Tập san, định kỳ 02 số/năm.",
            "deliverable": "publication",
        }
    )
    adhoc = base.duties[0].model_copy(
        update={
            "id": "KL.2",
            "clause": "KL.2",
            "section": "KL",
            "deadline": AdHocDeadline(text="báo cáo đột xuất khi có yêu cầu"),
            "text": "Báo cáo đột xuất khi có yêu cầu.",
            "assignees": ["SNGV", "UB_MTTQ"],
            "lead": ["STTTT"],
        }
    )
    final = base.plan.final_report.model_copy(update={"duty": "III.5.4"})
    return base.model_copy(
        update={
            "duties": [*base.duties, bulletin, adhoc],
            "plan": base.plan.model_copy(update={"final_report": final}),
        }
    )


def monthly_plan() -> NormalizedPlan:
    """A plan of the first quarter of 2027 whose final report recurs monthly ("trước ngày 25
    hằng tháng"): each month is consolidated on its own."""
    base = tiny_plan(year=2027)
    monthly = RecurringDeadline(
        frequency="monthly",
        due=DueInPeriod(month_of_period=1, day=25),
        text="trước ngày 25 hằng tháng",
    )
    report = base.duties[0].model_copy(
        update={
            "id": "VII.1",
            "clause": "VII.1",
            "section": "VII",
            "deadline": monthly,
            "text": "Báo cáo kết quả thực hiện trước ngày 25 hằng tháng.",
            "lead": ["SNGV", "UB_MTTQ"],
            "assignees": ["SNGV", "UB_MTTQ"],
        }
    )
    final = base.plan.final_report.model_copy(update={"duty": "VII.1", "deadline": None})
    header = base.plan.model_copy(
        update={
            "issued_on": dt.date(2027, 1, 1),
            "final_report": final,
            "span": Span(start=dt.date(2027, 1, 1), end=dt.date(2027, 3, 31)),
        }
    )
    return base.model_copy(update={"duties": [report], "plan": header})


COMMUNES = [_agency("XA_A", "Xã A", "xa_phuong"), _agency("XA_B", "Xã B", "xa_phuong")]


def merged_communes_plan(*, effective: dt.date) -> NormalizedPlan:
    """The tiny plan in a directory version where commune XA_A merges into XA_B from
    `effective` (both communes hold the plan's duties until then)."""
    base = tiny_plan()
    return base.model_copy(
        update={
            "agencies": [*base.agencies, *COMMUNES],
            "successions": [
                Succession(
                    code="XA_A",
                    successor="XA_B",
                    effective=effective,
                    basis="Nghị quyết số 1/NQ-UBTVQH15",
                )
            ],
        }
    )
