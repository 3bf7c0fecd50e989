# The kehoach image: `kehoach worker` by default, `kehoach web` for the portal
# (docker-compose.yml runs both from this one image). Configuration comes only from the
# environment variables adapters/settings.py reads.
FROM python:3.11.13-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# The packages pyproject.toml installs, plus the data the code reads from the source tree:
# db/migrations (adapters/store/migrate.py looks for it beside the adapters package) and plans/.
COPY pyproject.toml README.md ./
COPY kehoach ./kehoach
COPY schemas ./schemas
COPY workflows ./workflows
COPY activities ./activities
COPY workers ./workers
COPY db ./db
COPY plans ./plans

# Editable, so the code runs from /app and finds /app/db/migrations and /app/plans.
RUN pip install -e . \
    && useradd --system --uid 10001 --home-dir /app --no-create-home kehoach

USER kehoach
EXPOSE 8000
CMD ["kehoach", "worker"]
