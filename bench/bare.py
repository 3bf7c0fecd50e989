"""The bare floor: a workflow of the assignment's shape with nothing else in it.

One notice activity, a reminder timer followed by an activity for each reminder instant,
a submit update, as many approve updates as the chain has steps, a final notice. The
activities do nothing. Same real timer instants as kehoach's assignment in the same run, so
the two differ only in what kehoach adds. This module is imported into the workflow sandbox:
keep it to the standard library and temporalio.
"""

import datetime as dt
from dataclasses import dataclass, field

from temporalio import activity, workflow

NOTICE_TIMEOUT = dt.timedelta(seconds=60)


@dataclass(frozen=True)
class BareInput:
    """When each reminder falls due (real UTC instants) and how many approvals accept."""

    reminders_at: list[dt.datetime] = field(default_factory=list)
    approvals: int = 2
    notify_approvers: bool = False
    """Also a notice after the submission and after each approval but the last, as kehoach
    asks the next approver: the `bare_notify` flavor, the floor with kehoach's notices."""


@dataclass(frozen=True)
class BareSubmit:
    body: str


@dataclass(frozen=True)
class BareApprove:
    approver: str


@activity.defn(name="bare_notice")
async def bare_notice(key: str) -> None:
    """A notice that sends nothing: the floor under kehoach's send_notice."""


@workflow.defn(name="BareAssignment")
class BareAssignment:
    """Assignment notice, reminders on timers, submit and approvals, acceptance notice."""

    def __init__(self) -> None:
        self.reminders = 0
        self.submitted = False
        self.approvals = 0
        self.needed = 0
        self.notify = False
        self.pending: list[workflow.ActivityHandle[None]] = []

    @workflow.run
    async def run(self, input: BareInput) -> int:
        self.needed = input.approvals
        self.notify = input.notify_approvers
        await self._notice("assignment")
        for index, at in enumerate(input.reminders_at, start=1):
            delay = at - workflow.now()
            if delay > dt.timedelta(0):
                await workflow.sleep(delay, summary=f"reminder {index}")
            await self._notice(f"reminder/{index}")
            self.reminders += 1
        await workflow.wait_condition(lambda: self.approvals >= self.needed)
        for handle in self.pending:
            await handle
        await self._notice("accepted")
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.reminders

    async def _notice(self, key: str) -> None:
        await workflow.execute_activity(
            bare_notice, key, start_to_close_timeout=NOTICE_TIMEOUT, summary=key
        )

    def _ask_next_approver(self) -> None:
        """Started, not awaited: the update answers before the notice goes (as kehoach's)."""
        if self.notify and self.approvals < self.needed:
            key = f"approval/{self.approvals + 1}"
            self.pending.append(
                workflow.start_activity(
                    bare_notice, key, start_to_close_timeout=NOTICE_TIMEOUT, summary=key
                )
            )

    @workflow.query
    def reminders_sent(self) -> int:
        return self.reminders

    @workflow.update
    def submit(self, update: BareSubmit) -> str:
        self.submitted = True
        self._ask_next_approver()
        return "submitted"

    @submit.validator
    def _validate_submit(self, update: BareSubmit) -> None:
        if self.submitted:
            raise ValueError("already submitted")

    @workflow.update
    def approve(self, update: BareApprove) -> str:
        self.approvals += 1
        self._ask_next_approver()
        return "accepted" if self.approvals >= self.needed else "approved"

    @approve.validator
    def _validate_approve(self, update: BareApprove) -> None:
        if not self.submitted or self.approvals >= self.needed:
            raise ValueError("nothing to approve")
