"""DirectoryChangeWorkflow: one merger or renaming of a provincial directory, applied on its day.

A directory is shared by every plan of its province, so the change is not any one plan's:
it is its own small workflow, started when a directory version is loaded (`kehoach plan
start`, `kehoach up`, a published draft) under an id naming the change, so loading the same
version again finds it and changes nothing. It waits until the effective day (at once if
that day has passed), then one activity moves the agency's open assignments to the
successor, each through its own `reroute` update.
"""

import datetime as dt

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.plans import PlanActivities
    from schemas.calendar import VN_TZ
    from schemas.plan_run import AmendmentResult, SuccessionRun

RETRY = RetryPolicy(
    initial_interval=dt.timedelta(seconds=1), maximum_interval=dt.timedelta(minutes=1)
)


@workflow.defn(name="DirectoryChange")
class DirectoryChangeWorkflow:
    """Waits for the effective day of one succession, then reroutes; see the module."""

    @workflow.run
    async def run(self, input: SuccessionRun) -> AmendmentResult:
        change = input.succession
        words = f"{change.code} → {change.successor} từ ngày {change.effective:%d/%m/%Y}"
        effective_at = dt.datetime.combine(change.effective, dt.time(0), VN_TZ)
        wait = effective_at - workflow.now()
        if wait > dt.timedelta(0):
            workflow.set_current_details(f"**{input.directory}**: {words}\n\nChờ đến ngày hiệu lực")
            await workflow.sleep(wait, summary=f"Chờ ngày hiệu lực: {words}")
        result = await workflow.execute_activity_method(
            PlanActivities.reroute_successor,
            input.model_copy(update={"on": workflow.now().astimezone(VN_TZ).date()}),
            start_to_close_timeout=dt.timedelta(minutes=30),
            heartbeat_timeout=dt.timedelta(minutes=1),
            retry_policy=RETRY,
            summary=f"Chuyển phân công còn mở: {words}",
        )
        workflow.set_current_details(f"**{input.directory}**: {words}\n\n{result.message_vi}")
        return result
