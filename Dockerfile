# syntax=docker/dockerfile:1
# Build stage: a wheel-house of the service and its dependencies.
FROM python:3.11-slim-bookworm AS build
WORKDIR /src
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
# The classification model (docs/classification.md) is built here from the project's own corpus,
# with a fixed seed; WITH_MODEL=0 builds a lighter image that runs on the lexicon alone.
ARG WITH_MODEL=1
COPY data ./data
COPY scripts ./scripts
RUN python -m venv /opt/venv \
    && if [ "$WITH_MODEL" = 1 ]; then extras="[model]"; else extras=""; fi \
    && /opt/venv/bin/pip install --no-cache-dir ".${extras}" \
    && if [ "$WITH_MODEL" = 1 ]; then \
         target="$(/opt/venv/bin/python -I -c 'from app.domain.classification.model import DEFAULT_MODEL_PATH as p; print(p)')" \
         && /opt/venv/bin/python -m scripts.classification.train --output "$target"; \
       fi

# Runtime stage: the virtualenv, the migrations and a non-root user; nothing else.
FROM python:3.11-slim-bookworm AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    ADR_ENV=production
RUN groupadd --system --gid 10001 adr \
    && useradd --system --uid 10001 --gid adr --home-dir /srv/adr --create-home adr
WORKDIR /srv/adr
COPY --from=build /opt/venv /opt/venv
COPY --chown=adr:adr alembic.ini ./
COPY --chown=adr:adr migrations ./migrations
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --retries=3 \
    CMD ["python", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status == 200 else 1)"]
# Migrations first (idempotent), then the server.
CMD ["sh", "-c", "adr migrate && exec adr serve --host 0.0.0.0 --port 8000 --workers ${ADR_WORKERS:-2}"]
