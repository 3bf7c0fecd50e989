"""Pulling a report from an agency's own system (for agencies with a report endpoint).

The endpoint answers `GET {report_endpoint}?assignment=<id>&period=<period>` with JSON
`{"period": "...", "body": "..."}`; 204 or 404 mean "not ready yet". Whatever goes wrong is
returned as an outcome, not raised: the workflow records it and falls back to reminders.
"""

import httpx
import structlog
from pydantic import ConfigDict, Field, ValidationError
from temporalio import activity

from adapters.store import Store
from schemas.assignment import MAX_REPORT_CHARS, FetchedReport, FetchReport
from schemas.base import Model, Text

log = structlog.get_logger(__name__)


class PulledReport(Model):
    """The JSON an agency's endpoint must return."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    period: str
    body: Text = Field(min_length=1, max_length=MAX_REPORT_CHARS)


class ReportActivities:
    """Fetch reports over HTTP with one long-lived client the worker opened."""

    def __init__(self, *, store: Store, http: httpx.AsyncClient) -> None:
        self._store = store
        self._http = http

    @activity.defn
    async def fetch_report(self, request: FetchReport) -> FetchedReport:
        """Ask the agency's endpoint for the report of this period and validate it."""
        structlog.contextvars.bind_contextvars(
            workflow_id=activity.info().workflow_id,
            assignment_id=request.assignment_id,
            agency=request.agency,
        )
        assignment = await self._store.get_assignment(request.assignment_id)
        agencies = await self._store.get_agencies(assignment.plan_id, [request.agency])
        agency = agencies.get(request.agency)
        url = agency.report_endpoint if agency else None
        if url is None:
            return FetchedReport(outcome="invalid", error="agency has no report endpoint")
        try:
            response = await self._http.get(
                url, params={"assignment": request.assignment_id, "period": request.period}
            )
        except httpx.HTTPError as exc:
            log.warning("report_endpoint_unreachable", url=url, error=str(exc))
            return FetchedReport(outcome="unreachable", error=f"{type(exc).__name__}: {exc}")
        if response.status_code in (204, 404):
            return FetchedReport(outcome="not_ready")
        if response.status_code != 200:
            log.warning("report_endpoint_refused", url=url, status=response.status_code)
            return FetchedReport(
                outcome="unreachable" if response.status_code >= 500 else "invalid",
                error=f"HTTP {response.status_code}",
            )
        try:
            report = PulledReport.model_validate_json(response.content)
        except ValidationError as exc:
            log.warning("report_endpoint_invalid", url=url, errors=exc.errors())
            return FetchedReport(outcome="invalid", error=str(exc)[:2000])
        if report.period != request.period:
            return FetchedReport(
                outcome="invalid",
                error=f"period: got {report.period!r}; expected {request.period!r}",
            )
        return FetchedReport(outcome="report", body=report.body)
