"""Announcing days off and swap days to every plan at once.

The days are national, so an announcement is kept in the store first (a plan started, or a
calendar extended, later begins from every announcement made) and then sent to each running
plan's workflow, which passes it to its open assignments. Shared by `kehoach calendar
announce` and the portal's form. Sent again with the same request id, it applies nothing
twice: the store keeps it once and each plan's update id is derived from the request's.
"""

import structlog
from temporalio.client import Client

from adapters.store import Store
from client.calls import Refused, Unavailable, announce_calendar
from client.plan_runs import running
from domain.ids import plan_workflow_id
from schemas.assignment import AmendCalendar
from schemas.plan_run import AnnouncementResult

log = structlog.get_logger(__name__)


async def announce_to_plans(
    client: Client,
    store: Store,
    announcement: AmendCalendar,
    *,
    update_id: str,
    directory: str | None = None,
    plan_ids: list[str] | None = None,
) -> AnnouncementResult:
    """Keep the announcement, then send it to every running plan (of `directory`, or only
    `plan_ids`). A plan that does not answer is named in the result, the others still get
    it; `Refused` only when every running plan refused (the rights are the same for all)."""
    await store.record_announcement(update_id, announcement)
    chosen = plan_ids if plan_ids is not None else await store.list_plan_ids(directory=directory)
    applied, not_running, unanswered, refusals = {}, [], {}, []
    for plan_id in chosen:
        if not await running(client, plan_workflow_id(plan_id)):
            not_running.append(plan_id)
            continue
        try:
            applied[plan_id] = await announce_calendar(
                client, plan_id, announcement, update_id=f"{update_id}/{plan_id}"
            )
        except Refused as refusal:
            refusals.append(refusal)
            log.warning("calendar_announcement_refused", plan_id=plan_id, reason=refusal.message)
        except Unavailable as down:
            unanswered[plan_id] = down.message
            log.warning("calendar_announcement_unanswered", plan_id=plan_id, error=down.message)
    if refusals and not applied and not unanswered:
        raise refusals[0]
    return AnnouncementResult(applied=applied, not_running=not_running, unanswered=unanswered)
