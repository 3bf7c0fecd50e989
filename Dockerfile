# The kehoach image: `kehoach worker` by default, `kehoach web` for the portal
# (docker-compose.yml runs both from this one image). Configuration comes only from the
# environment variables adapters/settings.py reads.
FROM python:3.11.13-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# The programs the code runs (adapters/ocr.py): poppler renders a scanned plan's pages,
# Tesseract's Vietnamese model reads them, so the portal imports scans as it does in tests.
# tests/test_dockerfile.py checks each program adapters/ocr.py calls is installed here.
RUN apt-get update \
    && apt-get install -y --no-install-recommends poppler-utils tesseract-ocr tesseract-ocr-vie \
    && rm -rf /var/lib/apt/lists/*

# The packages pyproject.toml installs, plus the data the code reads from the source tree:
# db/migrations (adapters/store/migrate.py looks for it beside the adapters package) and plans/.
# tests/test_dockerfile.py checks that every package pyproject.toml names is copied.
COPY pyproject.toml README.md ./
COPY schemas ./schemas
COPY domain ./domain
COPY adapters ./adapters
COPY client ./client
COPY workflows ./workflows
COPY activities ./activities
COPY web ./web
COPY workers ./workers
COPY kehoach ./kehoach
COPY db ./db
COPY plans ./plans

# Editable, so the code runs from /app and finds /app/db/migrations and /app/plans.
RUN pip install -e . \
    && useradd --system --uid 10001 --home-dir /app --no-create-home kehoach

USER kehoach
EXPOSE 8000
CMD ["kehoach", "worker"]
