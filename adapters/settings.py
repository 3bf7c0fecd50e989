"""One typed settings object, read once at start-up from the environment and passed down.

Temporal's own variables (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS*)
keep their names; kehoach's own carry the KEHOACH_ prefix. docker-compose.yml sets the same
names, and a test checks that the two agree.
"""

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

WORKER_STOP_MARGIN = dt.timedelta(seconds=10)
"""Of the stop grace period, what the worker keeps for closing its pool and connections."""


def _env(name: str) -> AliasChoices:
    return AliasChoices(name)


class Settings(BaseSettings):
    """Everything that differs between a laptop and a province's servers."""

    model_config = SettingsConfigDict(frozen=True, extra="ignore", populate_by_name=False)

    # Temporal, by Temporal's own environment conventions.
    temporal_address: str = Field("localhost:7233", validation_alias=_env("TEMPORAL_ADDRESS"))
    temporal_namespace: str = Field("default", validation_alias=_env("TEMPORAL_NAMESPACE"))
    temporal_api_key: SecretStr | None = Field(None, validation_alias=_env("TEMPORAL_API_KEY"))
    temporal_tls: bool = Field(False, validation_alias=_env("TEMPORAL_TLS"))
    temporal_tls_client_cert_path: Path | None = Field(
        None, validation_alias=_env("TEMPORAL_TLS_CLIENT_CERT_PATH")
    )
    temporal_tls_client_key_path: Path | None = Field(
        None, validation_alias=_env("TEMPORAL_TLS_CLIENT_KEY_PATH")
    )
    temporal_tls_server_ca_cert_path: Path | None = Field(
        None, validation_alias=_env("TEMPORAL_TLS_SERVER_CA_CERT_PATH")
    )
    temporal_ui_url: str = Field(
        "http://localhost:8233", validation_alias=_env("KEHOACH_TEMPORAL_UI_URL")
    )
    task_queue: str = Field("kehoach", validation_alias=_env("KEHOACH_TASK_QUEUE"))

    # PostgreSQL: empty means the embedded server under the data directory.
    database_url: SecretStr | None = Field(None, validation_alias=_env("KEHOACH_DATABASE_URL"))
    database_pool_max: int = Field(
        10, ge=1, le=200, validation_alias=_env("KEHOACH_DATABASE_POOL_MAX")
    )

    # Mail.
    smtp_host: str = Field("localhost", validation_alias=_env("KEHOACH_SMTP_HOST"))
    smtp_port: int = Field(8025, ge=1, le=65535, validation_alias=_env("KEHOACH_SMTP_PORT"))
    smtp_username: str | None = Field(None, validation_alias=_env("KEHOACH_SMTP_USERNAME"))
    smtp_password: SecretStr | None = Field(None, validation_alias=_env("KEHOACH_SMTP_PASSWORD"))
    smtp_starttls: bool = Field(False, validation_alias=_env("KEHOACH_SMTP_STARTTLS"))
    mail_from: str = Field(
        "kehoach@stttt.gialai.example", validation_alias=_env("KEHOACH_MAIL_FROM")
    )
    # The name given in EHLO; empty: this machine's name, looked up once when the worker starts
    # (the SMTP client would otherwise look it up, blocking, for every message).
    smtp_helo_name: str | None = Field(None, validation_alias=_env("KEHOACH_SMTP_HELO_NAME"))

    # Notices people can live with (domain.digest): reminders and overdue notices wait for
    # one morning digest per person (at `digest_hour`, Vietnam time, on working days); no mail
    # but sign-in links outside working hours; a notice firing more than
    # `notice_catch_up_minutes` after its time (a late start, a worker back after a stop)
    # goes to the digest rather than into a burst.
    digest_enabled: bool = Field(True, validation_alias=_env("KEHOACH_DIGEST_ENABLED"))
    digest_hour: int = Field(8, ge=0, le=23, validation_alias=_env("KEHOACH_DIGEST_HOUR"))
    working_hours_end: int = Field(
        17, ge=1, le=24, validation_alias=_env("KEHOACH_WORKING_HOURS_END")
    )
    digest_due_soon_days: int = Field(
        5, ge=0, le=60, validation_alias=_env("KEHOACH_DIGEST_DUE_SOON_DAYS")
    )
    notice_catch_up_minutes: int = Field(
        60, ge=1, le=10_080, validation_alias=_env("KEHOACH_NOTICE_CATCH_UP_MINUTES")
    )

    # Worker tuning: open workflow runs kept in memory (an evicted run is replayed from its
    # history when it next has work).
    worker_max_cached_workflows: int = Field(
        1000, ge=0, le=100_000, validation_alias=_env("KEHOACH_WORKER_MAX_CACHED_WORKFLOWS")
    )
    # Import kehoach's workflow modules once per process rather than once per workflow run
    # (workers.main.sandbox explains the trade).
    worker_pass_through_own_modules: bool = Field(
        False, validation_alias=_env("KEHOACH_WORKER_PASS_THROUGH_OWN_MODULES")
    )

    # How long docker (or systemd) lets a stopping worker run before killing it; the
    # worker gives activities in flight all but WORKER_STOP_MARGIN of it to finish
    # (`worker_graceful_shutdown`). docker-compose.yml's stop_grace_period reads the same
    # variable, so the two cannot disagree.
    worker_stop_grace_seconds: int = Field(
        60, ge=15, le=3600, validation_alias=_env("KEHOACH_WORKER_STOP_GRACE_SECONDS")
    )
    # Notices per second across all workers (the notice task queue's rate limit, enforced
    # by the server): what the province's mail relay accepts, with room for retries.
    notices_per_second: float = Field(
        5.0, gt=0, le=1000, validation_alias=_env("KEHOACH_NOTICES_PER_SECOND")
    )

    @property
    def worker_graceful_shutdown(self) -> dt.timedelta:
        """How long activities in flight may finish once the worker is asked to stop."""
        return dt.timedelta(seconds=self.worker_stop_grace_seconds) - WORKER_STOP_MARGIN

    # The worker's Prometheus metrics (Temporal SDK: schedule-to-start latency, workflow
    # task failures, slots; kehoach's own notice and overdue counters), e.g. 0.0.0.0:9464;
    # empty: none.
    metrics_bind: str | None = Field(None, validation_alias=_env("KEHOACH_METRICS_BIND"))

    # Webhooks to chat gateways are signed with this key (HMAC-SHA256).
    webhook_secret: SecretStr = Field(
        SecretStr("dev-only-change-me"), validation_alias=_env("KEHOACH_WEBHOOK_SECRET")
    )

    # The portal.
    public_base_url: str = Field(
        "http://localhost:8000", validation_alias=_env("KEHOACH_PUBLIC_BASE_URL")
    )
    web_host: str = Field("127.0.0.1", validation_alias=_env("KEHOACH_WEB_HOST"))
    web_port: int = Field(8000, ge=1, le=65535, validation_alias=_env("KEHOACH_WEB_PORT"))
    # Signs the portal's sessions, sign-in links and the action links in notices (keys are
    # derived per purpose). Not the webhook secret: agencies' chat gateways hold that one.
    secret_key: SecretStr = Field(
        SecretStr("dev-only-change-me-portal"), validation_alias=_env("KEHOACH_SECRET_KEY")
    )
    # The portal's limits (SECURITY.md says what each protects and how it is tested).
    session_seconds: int = Field(
        8 * 3600, ge=60, le=7 * 24 * 3600, validation_alias=_env("KEHOACH_SESSION_SECONDS")
    )
    api_token_seconds: int = Field(
        8 * 3600, ge=60, le=30 * 24 * 3600, validation_alias=_env("KEHOACH_API_TOKEN_SECONDS")
    )
    signin_link_seconds: int = Field(
        15 * 60, ge=60, le=24 * 3600, validation_alias=_env("KEHOACH_SIGNIN_LINK_SECONDS")
    )
    # An approval request may wait over a long holiday (Tết is five days plus a weekend).
    action_link_seconds: int = Field(
        14 * 24 * 3600,
        ge=3600,
        le=60 * 24 * 3600,
        validation_alias=_env("KEHOACH_ACTION_LINK_SECONDS"),
    )
    signin_per_address: int = Field(
        3, ge=1, le=1000, validation_alias=_env("KEHOACH_SIGNIN_PER_ADDRESS")
    )
    signin_per_client: int = Field(
        20, ge=1, le=100_000, validation_alias=_env("KEHOACH_SIGNIN_PER_CLIENT")
    )
    signin_window_seconds: int = Field(
        15 * 60, ge=1, le=24 * 3600, validation_alias=_env("KEHOACH_SIGNIN_WINDOW_SECONDS")
    )
    upload_max_files: int = Field(
        10, ge=0, le=20, validation_alias=_env("KEHOACH_UPLOAD_MAX_FILES")
    )
    upload_max_file_bytes: int = Field(
        10 * 1024 * 1024,
        ge=1,
        le=20 * 1024 * 1024,
        validation_alias=_env("KEHOACH_UPLOAD_MAX_FILE_BYTES"),
    )
    uploads_per_hour: int = Field(
        30, ge=0, le=10_000, validation_alias=_env("KEHOACH_UPLOADS_PER_HOUR")
    )
    # 2 MiB: the longest report (100,000 characters) still fits as JSON with every character
    # escaped (\uXXXX\uXXXX, 12 bytes, for characters outside the BMP).
    web_max_request_bytes: int = Field(
        2 * 1024 * 1024,
        ge=1024,
        le=64 * 1024 * 1024,
        validation_alias=_env("KEHOACH_WEB_MAX_REQUEST_BYTES"),
    )
    # The report form with its files: the files' limits plus room for the text and framing.
    web_max_submit_bytes: int = Field(
        10 * 10 * 1024 * 1024 + 1024 * 1024,
        ge=1024,
        le=1024 * 1024 * 1024,
        validation_alias=_env("KEHOACH_WEB_MAX_SUBMIT_BYTES"),
    )

    # Plan data and the embedded runtime.
    data_dir: Path = Field(Path("data"), validation_alias=_env("KEHOACH_DATA_DIR"))
    plan_file: Path = Field(
        Path("plans/516-KH-UBND-2023.yaml"), validation_alias=_env("KEHOACH_PLAN_FILE")
    )
    contacts_file: Path | None = Field(None, validation_alias=_env("KEHOACH_CONTACTS_FILE"))

    # Logs: JSON for machines, console for a person at a terminal.
    log_format: Literal["json", "console"] = Field(
        "console", validation_alias=_env("KEHOACH_LOG_FORMAT")
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", validation_alias=_env("KEHOACH_LOG_LEVEL")
    )


def load_settings() -> Settings:
    """Read the environment once; callers pass the result down instead of re-reading."""
    return Settings()


# The environment variable names the settings object reads, for the compose consistency test.
def environment_names() -> set[str]:
    """Every environment variable name Settings understands."""
    names: set[str] = set()
    for field in Settings.model_fields.values():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            names.update(str(choice) for choice in alias.choices)
    return names
