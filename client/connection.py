"""Connecting to Temporal the same way everywhere: settings in, pydantic converter on."""

import asyncio

import structlog
from temporalio.client import Client, TLSConfig
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from adapters.settings import Settings

log = structlog.get_logger(__name__)


def _tls(settings: Settings) -> TLSConfig | bool:
    paths = (
        settings.temporal_tls_client_cert_path,
        settings.temporal_tls_client_key_path,
        settings.temporal_tls_server_ca_cert_path,
    )
    if not settings.temporal_tls and not any(paths):
        return False
    cert, key, ca = (p.read_bytes() if p else None for p in paths)
    return TLSConfig(client_cert=cert, client_private_key=key, server_root_ca_cert=ca)


def metrics_runtime(bind_address: str) -> Runtime:
    """A Temporal runtime serving the SDK's metrics (and kehoach's own, recorded through
    `workflow.metric_meter()` and `activity.metric_meter()`) for Prometheus at
    `http://{bind_address}/metrics`. One per process: it owns the listening socket."""
    return Runtime(
        telemetry=TelemetryConfig(
            metrics=PrometheusConfig(
                bind_address=bind_address, counters_total_suffix=True, durations_as_seconds=True
            )
        )
    )


async def connect(settings: Settings, *, with_metrics: bool = False) -> Client:
    """A client for the configured address and namespace, with TLS or an API key if set;
    `with_metrics` (the worker) serves Prometheus metrics when KEHOACH_METRICS_BIND is set,
    for every worker built on this client."""
    api_key = settings.temporal_api_key.get_secret_value() if settings.temporal_api_key else None
    runtime = (
        metrics_runtime(settings.metrics_bind) if with_metrics and settings.metrics_bind else None
    )
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        api_key=api_key,
        tls=_tls(settings) if api_key is None else (_tls(settings) or True),
        data_converter=pydantic_data_converter,
        runtime=runtime,
    )


async def connect_when_ready(
    settings: Settings, *, wait: float, with_metrics: bool = False
) -> Client:
    """`connect`, retried for as long as `wait` seconds while the server refuses: a worker or
    portal starting beside Temporal, or while it restarts, waits for it rather than exiting."""
    loop = asyncio.get_running_loop()
    give_up, delay = loop.time() + wait, 0.5
    while True:
        try:
            return await connect(settings, with_metrics=with_metrics)
        except RuntimeError as err:  # the SDK's "Failed client connect: ..."
            if loop.time() + delay > give_up:
                raise
            log.warning(
                "temporal_not_ready",
                address=settings.temporal_address,
                error=str(err),
                retry_in_s=delay,
            )
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)
