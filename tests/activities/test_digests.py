"""The morning digest against a real store and a real SMTP server: what it lists is the
store's state, it is sent once per person per day however often it runs, and a person who
chose immediate delivery never gets twice what they already received.

The notice activity's routing is exercised here too: what waits for the digest (quiet hours,
catch-up, repeats past the top of the ladder) is held in the outbox, not sent."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt

import asyncpg
import pytest
from temporalio.testing import ActivityEnvironment

from activities.digests import DigestActivities, digest_key
from activities.notices import NoticeActivities
from adapters.store import Store
from domain.digest import Routing
from schemas.calendar import VN_TZ
from schemas.digest import DigestRun
from tests.activities.helpers import (
    PLAN_ID,
    PUBLIC_BASE_URL,
    WEBHOOK_SECRET,
    MailServer,
    MakeNotice,
    address,
    assignment_id,
    mail_config,
)

OTHER_PLAN = "600/KH-UBND"
# Monday 08/01/2024, 08:00 in Vietnam: a working morning after the 2023 deadlines.
MORNING = dt.datetime(2024, 1, 8, 8, 0, tzinfo=VN_TZ)
DAY = MORNING.date()
SNGV_FOCAL = address("focal", "SNGV")
SNGV_LEADER = address("leader", "SNGV")


def digests_of(store: Store, mail_server: MailServer) -> DigestActivities:
    return DigestActivities(
        store=store,
        mail=mail_config(mail_server.port),
        public_base_url=PUBLIC_BASE_URL,
        due_soon=dt.timedelta(days=5),
    )


async def send(digests: DigestActivities, at: dt.datetime = MORNING) -> None:
    run = DigestRun(day=at.astimezone(VN_TZ).date(), at=at)
    await ActivityEnvironment().run(digests.send_digests, run)


def link(assignment: str) -> str:
    return f"{PUBLIC_BASE_URL}/assignments/{assignment}"


async def second_plan(store: Store) -> None:
    """A second plan of the same directory and duty, under another number."""
    plan = await store.get_plan(PLAN_ID)
    other = plan.model_copy(update={"plan": plan.plan.model_copy(update={"number": OTHER_PLAN})})
    await store.load_plan(other)


async def put(store: Store, plan: str, period: str, status: str, due: dt.datetime) -> str:
    ident = f"kh/{plan.replace('/', '-')}/III.5.4/SNGV/{period}"
    await store.upsert_assignment(
        id=ident,
        plan_id=plan,
        duty_id="III.5.4",
        agency_code="SNGV",
        period=period,
        status=status,
        due_at=due,
    )
    return ident


async def test_the_digest_lists_what_the_store_holds_for_a_person_across_two_plans(
    store: Store, mail_server: MailServer
) -> None:
    await second_plan(store)
    overdue = assignment_id("SNGV")  # plan 516, due 15/12/2023, still assigned
    soon = await put(store, PLAN_ID, "2024", "assigned", MORNING + dt.timedelta(days=3))
    later = await put(store, PLAN_ID, "2025", "assigned", MORNING + dt.timedelta(days=60))
    waiting = await put(store, OTHER_PLAN, "2023", "submitted", MORNING + dt.timedelta(days=9))
    returned = await put(store, OTHER_PLAN, "2024", "returned", MORNING + dt.timedelta(days=20))
    await store.set_delivery_preference(SNGV_FOCAL.upper(), "digest")

    await send(digests_of(store, mail_server))

    [focal] = mail_server.messages(to=SNGV_FOCAL)
    [leader] = mail_server.messages(to=SNGV_LEADER)
    assert "Bản tin sáng 08/01/2024: 3 nhiệm vụ cần xem" == focal.subject
    assert "Bản tin sáng 08/01/2024: 3 nhiệm vụ cần xem" == leader.subject

    def listed(text: str) -> list[str]:
        return [a for a in (overdue, soon, later, waiting, returned) if link(a) in text]

    assert [overdue, soon, returned] == listed(focal.text)
    assert [overdue, waiting, returned] == listed(leader.text)
    # Returned first, then what waits for the reader, overdue, due soon; each under its title.
    order = ["Báo cáo bị trả lại", "Nhiệm vụ quá hạn", "Nhiệm vụ sắp đến hạn"]
    assert sorted(order, key=focal.text.index) == order
    assert "Báo cáo chờ đồng chí duyệt" in leader.text
    assert "Báo cáo chờ" not in focal.text
    assert "Kính gửi: Đồng chí Trần Thị Lãnh Đạo SNGV – Phó Giám đốc, Sở Ngoại vụ." in leader.text
    assert "quý cơ quan" in focal.text
    assert "Kế hoạch số 600/KH-UBND" in leader.text and "Kế hoạch số 516/KH-UBND" in leader.text


async def test_a_doubled_or_retried_digest_run_sends_one_mail_per_person(
    store: Store, mail_server: MailServer, pool: asyncpg.Pool[asyncpg.Record]
) -> None:
    digests = digests_of(store, mail_server)
    await asyncio.gather(send(digests), send(digests_of(store, mail_server)))
    await send(digests)  # a retried activity

    received = [m.to for m in mail_server.messages()]
    assert len(received) == len(set(received))
    keys = await pool.fetch(
        "SELECT idempotency_key, state FROM notice_outbox WHERE kind = 'digest' ORDER BY 1"
    )
    assert {(digest_key(DAY, a), "sent") for (a,) in received} == {tuple(k) for k in keys}
    # The coordinator's focal official and the office see the overdue assignments.
    assert {address("focal", "STTTT"), address("focal", "VP_UBND")} <= {a for (a,) in received}


def routed(store: Store, mail_server: MailServer, http: object) -> NoticeActivities:
    return NoticeActivities(
        store=store,
        mail=mail_config(mail_server.port),
        http=http,  # type: ignore[arg-type]
        webhook_secret=WEBHOOK_SECRET,
        public_base_url=PUBLIC_BASE_URL,
        routing=Routing(),
    )


async def notify(notices: NoticeActivities, notice: object) -> None:
    env = ActivityEnvironment()
    env.info = dataclasses.replace(
        env.info,
        started_time=dt.datetime.now(dt.UTC),
        start_to_close_timeout=dt.timedelta(seconds=60),
    )
    await env.run(notices.send_notice, notice)


async def test_a_person_who_chose_immediate_gets_no_digest_of_what_they_already_received(
    store: Store, mail_server: MailServer, http: object, make_notice: MakeNotice
) -> None:
    notices = routed(store, mail_server, http)
    daytime = dt.datetime(2024, 1, 5, 10, 0, tzinfo=VN_TZ)  # a Friday morning
    await notify(notices, make_notice("reminder", days_before=3, at=daytime, planned_at=daytime))
    assert 1 == len(mail_server.messages(to=SNGV_FOCAL))

    await send(digests_of(store, mail_server))
    assert 1 == len(mail_server.messages(to=SNGV_FOCAL))  # the reminder only, no digest

    # A reminder falling due at night waits; the next morning's digest lists it, once.
    night = dt.datetime(2024, 1, 8, 22, 0, tzinfo=VN_TZ)
    await notify(notices, make_notice("reminder", days_before=1, at=night, planned_at=night))
    assert 1 == len(mail_server.messages(to=SNGV_FOCAL))
    tuesday = MORNING + dt.timedelta(days=1)
    await send(digests_of(store, mail_server), tuesday)
    await send(digests_of(store, mail_server), tuesday)
    [_, digest] = mail_server.messages(to=SNGV_FOCAL)
    assert "Bản tin sáng 09/01/2024: 1 nhiệm vụ cần xem" == digest.subject
    assert link(assignment_id("SNGV")) in digest.text


async def test_escalations_past_the_top_and_catch_up_notices_wait_for_the_digest(
    store: Store,
    mail_server: MailServer,
    http: object,
    make_notice: MakeNotice,
    pool: asyncpg.Pool[asyncpg.Record],
) -> None:
    notices = routed(store, mail_server, http)
    daytime = dt.datetime(2024, 1, 5, 10, 0, tzinfo=VN_TZ)
    top = make_notice(
        "escalation",
        ("focal",),
        escalation_level=3,
        ladder_levels=3,
        at=daytime,
        planned_at=daytime,
    )
    await notify(notices, top)
    [mail] = mail_server.messages(to=SNGV_FOCAL)
    assert "Quá hạn báo cáo (cấp 3): mục III.5 – Sở Ngoại vụ" == mail.subject

    repeat = make_notice(
        "escalation",
        ("focal",),
        escalation_level=9,
        ladder_levels=3,
        at=daytime,
        planned_at=daytime,
    )
    late = make_notice(
        "escalation",
        ("focal",),
        escalation_level=2,
        ladder_levels=3,
        at=daytime,
        planned_at=daytime - dt.timedelta(days=30),
    )
    started_late = make_notice("assignment", ("focal",), at=daytime)
    for notice in (repeat, late, started_late):
        await notify(notices, notice)
    assert 1 == len(mail_server.messages(to=SNGV_FOCAL))
    held = await pool.fetch(
        "SELECT subject, last_error FROM notice_outbox WHERE state = 'held' ORDER BY id"
    )
    assert [
        ("Quá hạn báo cáo (nhắc lần 7): mục III.5 – Sở Ngoại vụ", "past_top"),
        ("Quá hạn báo cáo (cấp 2): mục III.5 – Sở Ngoại vụ", "catch_up"),
    ] == [tuple(r) for r in held[:2]]
    assert "catch_up" == held[2]["last_error"]


@pytest.mark.parametrize(
    ("level", "levels", "expected"),
    [(1, 3, "cấp 1"), (3, 3, "cấp 3"), (4, 3, "nhắc lần 2"), (33, 3, "nhắc lần 31")],
)
def test_levels_past_the_ladder_are_repeats_not_new_levels(
    level: int, levels: int, expected: str
) -> None:
    from domain.digest import escalation_step_vi

    assert expected == escalation_step_vi(level, levels)


async def test_a_report_waits_in_the_digest_of_the_step_the_workflow_mirrors(
    store: Store, pool: asyncpg.Pool[asyncpg.Record], mail_server: MailServer
) -> None:
    # The duty's chain skips the agency's leader: the workflow mirrored the coordinator's
    # director as the step the report waits at, which the default chain would not give.
    waiting = await put(store, PLAN_ID, "2024", "submitted", MORNING + dt.timedelta(days=9))
    await pool.execute(
        "UPDATE assignments SET pending_step = 'coordinator_director' WHERE id = $1", waiting
    )

    await send(digests_of(store, mail_server))

    assert [] == [m for m in mail_server.messages(to=SNGV_LEADER) if link(waiting) in m.text]
    [director] = mail_server.messages(to=address("leader", "STTTT"))
    assert link(waiting) in director.text
    assert "Báo cáo chờ đồng chí duyệt" in director.text
