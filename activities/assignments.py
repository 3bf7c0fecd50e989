"""Activities that keep the assignment workflow's store in step: reports and events."""

import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from adapters.store import Store
from schemas.assignment import AssignmentEvent, StepWrites, StoreSubmission
from schemas.errors import Conflict, NotFound, StoreError

log = structlog.get_logger(__name__)


def _bind(assignment_id: str, agency: str) -> None:
    structlog.contextvars.bind_contextvars(
        workflow_id=activity.info().workflow_id, assignment_id=assignment_id, agency=agency
    )


def _permanent(exc: StoreError) -> ApplicationError:
    """A broken rule will not heal by retrying; connection errors are left to the retry policy."""
    return ApplicationError(exc.message, type=type(exc).__name__, non_retryable=True)


class AssignmentActivities:
    """Store writes for one worker; the worker opens the pool and passes the Store."""

    def __init__(self, *, store: Store) -> None:
        self._store = store

    @activity.defn
    async def store_submission(self, submission: StoreSubmission) -> None:
        """Keep one submitted version; a retry of the same version stores nothing new."""
        _bind(submission.assignment_id, "")
        try:
            await self._store.add_submission(
                assignment_id=submission.assignment_id,
                version=submission.version,
                submitted_by=submission.submitted_by,
                body=submission.body,
                attachments=submission.attachments,
                submitted_at=submission.submitted_at,
                idempotency_key=f"{submission.assignment_id}/v{submission.version}",
            )
        except (Conflict, NotFound, StoreError) as exc:
            log.error("submission_refused", error=exc.message)
            raise _permanent(exc) from exc
        log.info("submission_stored", version=submission.version)

    @activity.defn
    async def record_event(self, event: AssignmentEvent) -> None:
        """Mirror the workflow's state for the portal and append the audit entry, once."""
        _bind(event.assignment_id, event.agency)
        try:
            recorded = await self._store.record_assignment_event(event)
        except (Conflict, NotFound, StoreError) as exc:
            log.error("event_refused", action=event.action, error=exc.message)
            raise _permanent(exc) from exc
        log.info(
            "assignment_event_recorded", action=event.action, status=event.status, recorded=recorded
        )

    @activity.defn
    async def record_step(self, step: StepWrites) -> None:
        """A step's writes in the order queued, each as `store_submission` or `record_event`
        would make it. A refused write does not keep the next from being made (as when each
        was its own activity); the first refusal is raised once all were tried. A retry
        repeats nothing already written: every write is idempotent."""
        refusal: ApplicationError | None = None
        for write in step.writes:
            try:
                if isinstance(write, StoreSubmission):
                    await self.store_submission(write)
                else:
                    await self.record_event(write)
            except ApplicationError as err:
                refusal = refusal or err
        if refusal is not None:
            raise refusal
