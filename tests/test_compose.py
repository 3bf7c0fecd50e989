"""docker-compose.yml agrees with the code: settings names, pinned images, search attributes."""

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from adapters.settings import environment_names
from schemas.search_attributes import search_attribute_cli_types

ROOT = Path(__file__).resolve().parents[1]
KEHOACH_SERVICES = ("worker", "web")
PRODUCTION_MUST_SET = {
    "TEMPORAL_ADDRESS",
    "TEMPORAL_NAMESPACE",
    "KEHOACH_DATABASE_URL",
    "KEHOACH_SMTP_HOST",
    "KEHOACH_PUBLIC_BASE_URL",
}
# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?message}, ${NAME?message}
_INTERPOLATION = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def _environment(service: dict[str, Any]) -> dict[str, Any]:
    env = service.get("environment", {})
    if isinstance(env, list):  # the `- NAME=value` form
        return dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return dict(env)


def _with_defaults(value: str) -> str:
    """The value Compose uses when no variable is set; a variable with no default fails."""

    def substitute(match: re.Match[str]) -> str:
        op = match["op"]
        if op is None or op.endswith("?"):
            pytest.fail(f"{value!r}: ${{{match['name']}}} has no default")
        return match["arg"]

    return _INTERPOLATION.sub(substitute, value)


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
    assert "${POSTGRES_PASSWORD:?" in env["KEHOACH_DATABASE_URL"]
    assert (
        "${POSTGRES_PASSWORD:?"
        in compose["services"]["postgresql"]["environment"]["POSTGRES_PASSWORD"]
    )


def test_every_image_is_pinned_to_an_explicit_version(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        image = _with_defaults(service["image"])
        repository, _, tag = image.rpartition(":")
        assert repository and "/" not in tag, f"{name}: {image} has no tag"
        assert "latest" != tag, f"{name}: {image}"
        assert re.match(r"\d+\.\d+", tag), f"{name}: {image} is not pinned to a version"


def test_kehoach_image_is_tagged_with_the_project_version(compose: dict[str, Any]) -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    for name in KEHOACH_SERVICES:
        assert f"kehoach:{version}" == _with_defaults(compose["services"][name]["image"])


def test_worker_declares_replicas(compose: dict[str, Any]) -> None:
    replicas = compose["services"]["worker"]["deploy"]["replicas"]
    assert isinstance(replicas, int) and replicas >= 2


def test_compose_registers_exactly_the_search_attributes_in_schemas(
    compose: dict[str, Any],
) -> None:
    registrar = compose["services"]["temporal-search-attributes"]
    pairs = _environment(registrar)["SEARCH_ATTRIBUTES"].split()
    assert search_attribute_cli_types() == [tuple(pair.split("=", 1)) for pair in pairs]


def test_search_attributes_go_to_the_namespace_the_workers_use(compose: dict[str, Any]) -> None:
    services = compose["services"]
    namespace = _environment(services["worker"])["TEMPORAL_NAMESPACE"]
    assert namespace == _environment(services["temporal-search-attributes"])["TEMPORAL_NAMESPACE"]
    assert namespace == _environment(services["temporal"])["DEFAULT_NAMESPACE"]
