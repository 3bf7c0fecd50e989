"""The plan's clock inside workflows: real time in production, faster in demos and drills.

The speed and the origin are workflow inputs, so replay gives the same instants; every
workflow of one run shares the origin, so they agree on what time it is in the plan.
"""

import datetime as dt

from temporalio import workflow


class PlanClock:
    """now() on the plan's clock, and how long to wait in real time for a plan-time span."""

    def __init__(self, *, speed: float, origin: dt.datetime | None) -> None:
        self.speed = speed
        self.origin = origin or workflow.now()

    def now(self) -> dt.datetime:
        if self.speed == 1:
            return workflow.now()
        return self.origin + (workflow.now() - self.origin) * self.speed

    def real(self, span: dt.timedelta) -> dt.timedelta:
        """The real time that `span` of plan time takes."""
        return span / self.speed
