"""Fixtures for the store's tests: one embedded PostgreSQL per session, a fresh database
per test (migrated for `pool`, empty for `empty_database_url`), dropped afterwards."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import asyncpg
import pytest

from adapters.store import Store, migrate, open_pool
from schemas.plan import (
    Agency,
    AgencyKind,
    ApprovalChain,
    Contact,
    DateDeadline,
    DeadlineRule,
    DueInPeriod,
    EscalationLadder,
    FinalReport,
    NormalizedDuty,
    NormalizedPlan,
    Plan,
    RecurringDeadline,
    ReminderPolicy,
    Signer,
)
from schemas.store import Assignment
from tests.pgserver import fresh_database, shared_server_uri


@pytest.fixture(scope="session")
def pg_server_uri() -> str:
    """The session's embedded server (started on first use, stopped at exit)."""
    return shared_server_uri()


@pytest.fixture
async def empty_database_url(pg_server_uri: str) -> AsyncIterator[str]:
    """A database with nothing in it, not even schema_migrations."""
    async with fresh_database(pg_server_uri) as url:
        yield url


@pytest.fixture
async def pool(empty_database_url: str) -> AsyncIterator[asyncpg.Pool[asyncpg.Record]]:
    """A pool on a freshly migrated database of its own."""
    pool = await open_pool(empty_database_url, max_size=8)
    try:
        await migrate(pool)
        yield pool
    finally:
        await pool.close()


@pytest.fixture
def store(pool: asyncpg.Pool[asyncpg.Record]) -> Store:
    return Store(pool)


def _contact(who: str, agency: str) -> Contact:
    return Contact(
        name=f"{who} {agency}", title=who, email=f"{who.lower()}@{agency.lower()}.example"
    )


def _agency(code: str, name: str, kind: AgencyKind) -> Agency:
    return Agency(
        code=code,
        name=name,
        kind=kind,
        leader=_contact("Leader", code),
        focal=_contact("Focal", code),
    )


def _duty(duty_id: str, clause: str, deadline: DeadlineRule, lead: str) -> NormalizedDuty:
    return NormalizedDuty(
        id=duty_id,
        clause=clause,
        section="III",
        heading=None,
        text=f"Nhiệm vụ {duty_id}.",
        lead=[lead],
        coordinating=[],
        assignees=[lead],
        mode="assigned",
        deliverable="report",
        deadline=deadline,
        reminders=ReminderPolicy(),
        escalation=EscalationLadder(),
        approval=ApprovalChain(),
        basis=None,
    )


@pytest.fixture
def tiny_plan() -> NormalizedPlan:
    """A two-duty plan with four agencies, built here so the store tests own their data."""
    agencies = [
        _agency("UBND_TINH", "Ủy ban nhân dân tỉnh", "ubnd_tinh"),
        _agency("VP_UBND", "Văn phòng UBND tỉnh", "van_phong_ubnd"),
        _agency("STTTT", "Sở Thông tin và Truyền thông", "so"),
        _agency("SNGV", "Sở Ngoại vụ", "so"),
    ]
    yearly = DateDeadline(due=dt.date(2023, 12, 15), before=True, text="trước 15/12/2023")
    quarterly = RecurringDeadline(
        frequency="quarterly",
        due=DueInPeriod(month_of_period=3, day=15),
        text="định kỳ hằng quý",
    )
    return NormalizedPlan(
        plan=Plan(
            number="516/KH-UBND",
            title="Kế hoạch thử",
            issuer="UBND_TINH",
            issued_on=dt.date(2023, 3, 1),
            place="Gia Lai",
            signer=Signer(name="Nguyễn Văn A", title="Phó Chủ tịch"),
            year=2023,
            coordinator="STTTT",
            office="VP_UBND",
            final_report=FinalReport(recipient="UBND_TINH", via="STTTT", deadline=yearly),
        ),
        agencies=agencies,
        groups=[],
        duties=[
            _duty("III.5.4", "III.5", quarterly, "SNGV"),
            _duty("III.6", "III.6", yearly, "STTTT"),
        ],
    )


@pytest.fixture
async def assignment(store: Store, tiny_plan: NormalizedPlan) -> Assignment:
    """SNGV's first-quarter report on duty III.5.4, with the tiny plan loaded."""
    await store.load_plan(tiny_plan)
    return await store.upsert_assignment(
        id="kh/516-KH-UBND/III.5.4/SNGV/2023-Q1",
        plan_id="516/KH-UBND",
        duty_id="III.5.4",
        agency_code="SNGV",
        period="2023-Q1",
        status="assigned",
        due_at=dt.datetime(2023, 3, 15, 10, 0, tzinfo=dt.UTC),
    )
