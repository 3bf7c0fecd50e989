"""Simulated people for the demo and the whole-plan tests.

Each agency gets a profile — reports on time, late, on time but returned once, or never —
and the simulated focal officials, leaders, coordinator and Vice-Chairman act through the
same workflow updates a person's CLI or portal uses, so their actions pass every validator
and land in the audit log like anyone's.
"""

import asyncio
import datetime as dt
import random
import zlib
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Literal, TypeVar

import structlog
from temporalio.client import Client

from adapters.store import Store
from client import calls
from domain.report import facts
from domain.reportform import FormAnswers, compose, form_for
from schemas import calls as wf
from schemas.assignment import (
    FINAL_STATUSES,
    Actor,
    Approve,
    Cancel,
    ReturnForRevision,
    SetDeadline,
    SubmitReport,
)
from schemas.calendar import VN_TZ
from schemas.plan import NormalizedPlan, ReportForm
from schemas.plan_run import ConsolidationDecision
from schemas.store import Assignment

log = structlog.get_logger(__name__)
I = TypeVar("I")  # noqa: E741
O = TypeVar("O")  # noqa: E741

Profile = Literal["on_time", "late", "after_return", "never"]
PROFILES: tuple[Profile, ...] = ("on_time", "late", "after_return", "never")
SUBMIT_DAYS_BEFORE = 14  # the punctual send their report two weeks ahead
LATE_DAYS_AFTER = 4
OPEN_DEADLINE_DAYS = 60
CONCURRENCY = 16


def assign_profiles(agencies: list[str], *, seed: int) -> dict[str, Profile]:
    """A reproducible profile per agency: mostly on time, some late, returned or silent."""
    rng = random.Random(seed)
    weights = (0.55, 0.2, 0.15, 0.1)
    chosen = {code: rng.choices(PROFILES, weights)[0] for code in sorted(agencies)}
    for profile, code in zip(PROFILES, sorted(agencies), strict=False):
        if profile not in chosen.values():  # every behaviour shows in a demo
            chosen[code] = profile
    return chosen


def _figures(row: Assignment, form: ReportForm) -> dict[str, float]:
    """Believable, repeatable numbers for the form's indicators: the same assignment always
    reports the same figures (crc32, not hash(), whose seed changes per process)."""
    figures = {}
    for indicator in form.indicators:
        seed = zlib.crc32(f"{row.id}/{indicator.code}".encode())
        figures[indicator.code] = float(seed % (10**8 if indicator.unit == "đồng" else 50))
    return figures


class People:
    """The simulated people of one plan: acts on whatever is due at each `step`."""

    def __init__(
        self,
        *,
        client: Client,
        store: Store,
        plan: NormalizedPlan,
        now: Callable[[], Awaitable[dt.datetime]],
        seed: int = 7,
    ) -> None:
        self.client, self.store, self.plan, self.now = client, store, plan, now
        self.profiles = assign_profiles(
            sorted({c for d in plan.duties for c in d.assignees}), seed=seed
        )
        self.actions: Counter[str] = Counter()
        header = plan.plan
        directory = {a.code: a for a in plan.agencies}
        self.coordinator = Actor(
            email=directory[header.coordinator].focal.email,
            role="coordinator",
            agency=header.coordinator,
            source="demo",
        )
        # The coordinator's own reports are reviewed by its director, not by their author.
        self.director = Actor(
            email=directory[header.coordinator].leader.email,
            role="coordinator_director",
            agency=header.coordinator,
            source="demo",
        )
        self.vice_chairman = Actor(
            email=directory[header.issuer].leader.email,
            role="vice_chairman",
            agency=header.issuer,
            source="demo",
        )
        self.focal = {
            c: Actor(email=a.focal.email, role="focal", agency=c, source="demo")
            for c, a in directory.items()
        }
        self.leader = {
            c: Actor(email=a.leader.email, role="leader", agency=c, source="demo")
            for c, a in directory.items()
        }

    async def step(self) -> int:
        """Act once on every assignment that needs someone now; return how many acts.

        People work in parallel (up to CONCURRENCY at once): on a fast demo clock, acting
        one assignment after another would let plan days pass between them."""
        now = await self.now()
        gate = asyncio.Semaphore(CONCURRENCY)

        async def act(row: Assignment) -> int:
            async with gate:
                return await self._act(row, now)

        rows = [
            r
            for r in await self.store.list_assignments(plan_id=self.plan.plan.number)
            if r.status not in FINAL_STATUSES
        ]
        return sum(await asyncio.gather(*(act(r) for r in rows)))

    async def _act(self, row: Assignment, now: dt.datetime) -> int:
        profile = self.profiles.get(row.agency_code, "on_time")
        if row.due_at is None:
            if "DX" not in row.period:  # every open period, in whichever year of the span
                last_day = (now + dt.timedelta(days=OPEN_DEADLINE_DAYS)).astimezone(VN_TZ).date()
                return await self._update(
                    row.id,
                    wf.SET_DEADLINE,
                    SetDeadline(actor=self.coordinator, last_day=last_day),
                    "set_deadline",
                )
            return 0
        if row.status in ("assigned", "returned"):
            if profile == "never":
                return 0
            due = row.due_at
            ready = (
                now >= due + dt.timedelta(days=LATE_DAYS_AFTER)
                if profile == "late"
                else now >= due - dt.timedelta(days=SUBMIT_DAYS_BEFORE)
            )
            if not ready and row.status != "returned":
                return 0
            body = self._report(row, revised=row.status == "returned")
            return await self._update(
                row.id,
                wf.SUBMIT_REPORT,
                SubmitReport(actor=self.focal[row.agency_code], body=body),
                "submit",
            )
        state = await calls.query(self.client, row.id, wf.ASSIGNMENT_STATE)
        if state.pending_step == "agency_leader":
            return await self._update(
                row.id, wf.APPROVE, Approve(actor=self.leader[row.agency_code]), "approve"
            )
        if state.pending_step in ("coordinator", "coordinator_director"):
            reviewer = (
                self.director if row.agency_code == self.coordinator.agency else self.coordinator
            )
            if profile == "after_return" and len(state.submissions) == 1:
                return await self._update(
                    row.id,
                    wf.RETURN_FOR_REVISION,
                    ReturnForRevision(actor=reviewer, reason="Đề nghị bổ sung số liệu cụ thể."),
                    "return",
                )
            return await self._update(row.id, wf.APPROVE, Approve(actor=reviewer), "accept")
        return 0

    def _report(self, row: Assignment, *, revised: bool) -> str:
        """The agency's report: on the plan's form when its duty has one (figures included,
        so the consolidated report's indicators add up), else a line of free text."""
        version = "bản sửa" if revised else "bản đầu"
        result = (
            f"Báo cáo kết quả thực hiện nhiệm vụ {row.duty_id} kỳ {row.period} của "
            f"{row.agency_code} ({version})."
        )
        form = form_for(self.plan, row.duty_id)
        if form is None:
            return result
        return compose(
            form,
            FormAnswers(
                parts={"ket_qua": result, "kho_khan": "Không có.", "de_xuat": "Không có."},
                figures=_figures(row, form),
            ),
        )

    async def _update(
        self, workflow_id: str, update: wf.Update[I, O], message: I, name: str
    ) -> int:
        try:
            await calls.update(self.client, workflow_id, update, message)
        except calls.Refused as refusal:
            log.info("simulated_action_refused", action=name, reason=refusal.reason_vi)
            return 0
        except calls.Unavailable as lost:  # the update was lost or timed out: next step
            log.info("simulated_action_not_delivered", action=name, reason=lost.message)
            return 0
        self.actions[name] += 1
        return 1

    def _signer(self) -> Actor:
        approver = facts.signing(self.plan).approver
        return self.vice_chairman if approver == "vice_chairman" else self.director

    async def approve_consolidation(self, workflow_id: str) -> bool:
        """Whoever signs the consolidated report by the plan's rule (the coordinator's Director,
        or the Vice-Chairman for the Committee's own report) approves it if it awaits approval."""
        state = await calls.query(self.client, workflow_id, wf.CONSOLIDATION_STATE)
        if state.status != "awaiting_approval":
            return False
        return bool(
            await self._update(
                workflow_id,
                wf.DECIDE_REPORT,
                ConsolidationDecision(actor=self._signer(), approve=True),
                "approve_report",
            )
        )

    async def close_year(self) -> int:
        """The coordinator ends the tracking of what was never reported once the year is
        consolidated: not done (không hoàn thành), never "waived"."""
        closed = 0
        for row in await self.store.list_assignments(plan_id=self.plan.plan.number):
            if row.status in FINAL_STATUSES:
                continue
            closed += await self._update(
                row.id,
                wf.CANCEL,
                Cancel(
                    actor=self.coordinator,
                    reason="Kết thúc năm kế hoạch; không nhận được báo cáo.",
                    end_tracking=True,
                ),
                "end_tracking",
            )
        return closed
