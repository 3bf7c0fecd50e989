"""Workflow ids, readable in the Web UI; one rule for every caller and workflow.

A plan number such as 516/KH-UBND is written with '-' for '/' inside ids.
"""

from __future__ import annotations


def plan_key(plan_number: str) -> str:
    """516/KH-UBND -> 516-KH-UBND."""
    return plan_number.replace("/", "-")


def assignment_id(*, plan_id: str, duty_id: str, agency: str, period: str) -> str:
    """The assignment workflow's id: 516-KH-UBND/KL.1/SNGV/2023."""
    return f"{plan_key(plan_id)}/{duty_id}/{agency}/{period}"


def plan_workflow_id(plan_number: str) -> str:
    """The plan workflow's id: plan/516-KH-UBND."""
    return f"plan/{plan_key(plan_number)}"


def consolidation_workflow_id(plan_number: str, year: int | str) -> str:
    """The consolidated report's workflow id for a year: 516-KH-UBND/consolidation/2023."""
    return f"{plan_key(plan_number)}/consolidation/{year}"


def succession_workflow_id(*, directory: str, code: str, successor: str, effective: str) -> str:
    """A directory change's workflow id, one per merger or renaming as a version states it:
    directory/Đắk Lắk/XA_A->XA_B/2026-01-01 (a later version changing it is another one)."""
    return f"directory/{directory}/{code}->{successor}/{effective}"


def notice_task_queue(task_queue: str) -> str:
    """The task queue of the notice activity beside a worker's own: kehoach-notices.

    Its own queue, rate-limited to what the mail relay accepts, so a burst of notices at
    08:00 waits there instead of holding the slots workflow tasks and store writes need."""
    return f"{task_queue}-notices"
