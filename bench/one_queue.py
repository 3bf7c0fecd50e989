"""The queue split undone, for the bench only: notices scheduled on the workflow's own task
queue (as before `notices-apart`), so one run can put the 08:00 burst before and after the
split side by side. A client interceptor that is also a worker interceptor, so the worker
`workers.main.run_worker` builds from the client gets it; nothing else of kehoach changes."""

from __future__ import annotations

import dataclasses
from typing import Any

from temporalio import client, worker, workflow

NOTICE_ACTIVITIES = frozenset({"send_notice", "send_notice_by_reference"})


class _OnWorkflowQueue(worker.WorkflowOutboundInterceptor):
    def start_activity(self, input: worker.StartActivityInput) -> workflow.ActivityHandle[Any]:
        if input.activity in NOTICE_ACTIVITIES:
            input = dataclasses.replace(input, task_queue=None)  # None: the workflow's queue
        return super().start_activity(input)


class _Inbound(worker.WorkflowInboundInterceptor):
    def init(self, outbound: worker.WorkflowOutboundInterceptor) -> None:
        super().init(_OnWorkflowQueue(outbound))


class NoticesOnWorkflowQueue(client.Interceptor, worker.Interceptor):
    """Every notice activity on the workflow's task queue instead of the notices' own."""

    def workflow_interceptor_class(
        self, input: worker.WorkflowInterceptorClassInput
    ) -> type[worker.WorkflowInboundInterceptor]:
        return _Inbound
