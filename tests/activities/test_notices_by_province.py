"""A notice reaches the agency of its own plan's province: plans of two provinces name the
same codes (UBND_TINH, SKHCN …) for agencies with different mailboxes."""

from __future__ import annotations

from pathlib import Path

from activities.notices import NoticeActivities
from adapters.store import Store
from domain.planfile import load_plan
from schemas.assignment import NoticeResult
from tests.activities.helpers import DEADLINE, MailServer, MakeNotice
from tests.activities.test_notices import run

PLANS = Path(__file__).resolve().parents[2] / "plans"


async def test_a_notice_of_a_bac_ninh_plan_goes_to_bac_ninh_after_dong_thap_was_loaded(
    store: Store, notices: NoticeActivities, mail_server: MailServer, make_notice: MakeNotice
) -> None:
    bac_ninh = load_plan(PLANS / "144-KH-UBND-2025-bac-ninh.yaml")
    await store.load_plan(bac_ninh)
    await store.load_plan(load_plan(PLANS / "552-KH-UBND-2025-dong-thap.yaml"))
    number = bac_ninh.plan.number
    assignment = await store.upsert_assignment(
        id=f"{number}/VI.1.1/SKHCN",
        plan_id=number,
        duty_id="VI.1.1",
        agency_code="SKHCN",
        period="2026",
        status="assigned",
        due_at=DEADLINE,
    )
    notice = make_notice(
        "reminder",
        assignment_id=assignment.id,
        plan_id=number,
        agency_name=bac_ninh.agency("SKHCN").name,
        coordinator="SKHCN",
        issuer="UBND_TINH",
        office=bac_ninh.plan.office,
        days_before=3,
    ).model_copy(update={"agency": "SKHCN"})

    assert NoticeResult(sent=1) == await run(notices, notice)
    [mail] = mail_server.messages()
    assert (bac_ninh.agency("SKHCN").focal.email,) == mail.to
