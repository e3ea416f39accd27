# The agent worker's image, built from the repository root:
#
#   docker build -f docker/worker.Dockerfile -t callwright-worker .
#
# The `callwright` command with its `worker` extra (`uv sync --package callwright --extra
# worker`): the shared and worker members and their locked dependencies, not the issuer's
# (no FastAPI), installed from uv.lock into /app/.venv as wheels. The Silero VAD model
# ships inside the livekit-plugins-silero wheel (livekit/plugins/silero/resources/
# silero_vad.onnx), so the image holds it without a download; `python -m livekit.agents
# download-files` still runs for any plugin that needs files. `callwright worker` needs
# nothing more (tests/unit/test_deploy_config.py checks every module it imports).

# No `# syntax=` line: the engine's built-in Dockerfile frontend (Docker 20.10 and newer)
# has all this file uses (RUN --mount), and a syntax line pulls docker/dockerfile from
# Docker Hub on every build, which a host without a registry cannot do.
# The base images are build arguments: docker/local/build-images.sh makes stand-ins from
# Debian packages (the compose test tier's, docs/deploy.md section 11).

ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG UV_IMAGE=ghcr.io/astral-sh/uv:0.13

FROM ${UV_IMAGE} AS uv

# ---------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS builder
COPY --from=uv /uv /uvx /bin/
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=0 \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /app

# Third-party dependencies first: this layer is reused until uv.lock changes. Every
# member's pyproject.toml is needed to read the workspace.
RUN --mount=type=cache,target=/root/.cache/uv \
    --mount=type=bind,source=uv.lock,target=uv.lock \
    --mount=type=bind,source=pyproject.toml,target=pyproject.toml \
    --mount=type=bind,source=shared/pyproject.toml,target=shared/pyproject.toml \
    --mount=type=bind,source=issuer/pyproject.toml,target=issuer/pyproject.toml \
    --mount=type=bind,source=worker/pyproject.toml,target=worker/pyproject.toml \
    --mount=type=bind,source=http/pyproject.toml,target=http/pyproject.toml \
    --mount=type=bind,source=web/backend/pyproject.toml,target=web/backend/pyproject.toml \
    --mount=type=bind,source=devstack/pyproject.toml,target=devstack/pyproject.toml \
    uv sync --frozen --no-dev --no-editable --no-install-workspace --package callwright --extra worker

# Then callwright's own code, as wheels: the CLI (src/callwright), shared and worker.
COPY pyproject.toml uv.lock README.md ./
COPY shared/ shared/
COPY worker/ worker/
COPY issuer/pyproject.toml issuer/pyproject.toml
COPY http/pyproject.toml http/pyproject.toml
COPY web/backend/pyproject.toml web/backend/pyproject.toml
COPY devstack/pyproject.toml devstack/pyproject.toml
COPY src/ src/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable --package callwright --extra worker \
 && /app/.venv/bin/python -c "import callwright.cli, callwright_worker.server" \
 && ! /app/.venv/bin/python -c "import callwright_issuer" 2>/dev/null \
 && ! /app/.venv/bin/python -c "import fastapi" 2>/dev/null

# ---------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS worker
RUN groupadd --system --gid 10001 callwright \
 && useradd --system --uid 10001 --gid callwright --home-dir /home/callwright --create-home \
    --shell /usr/sbin/nologin callwright
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /app
# Code stays owned by root: the service user can read it, not change it. The virtual
# environment holds all of it (no source tree).
COPY --from=builder /app/.venv /app/.venv

USER callwright
# Files a plugin downloads land in the service user's cache, inside the image; then prove
# the Silero model is there and loads (onnxruntime included).
RUN python -m livekit.agents download-files \
 && python -c "from importlib.resources import files; \
model = files('livekit.plugins.silero.resources') / 'silero_vad.onnx'; \
assert model.is_file(), model; \
from livekit.plugins import silero; silero.VAD.load()"

# Health: GET / on CALLWRIGHT_WORKER_PORT (200 while registered with LiveKit).
ENV CALLWRIGHT_WORKER_PORT=8081
EXPOSE 8081
# `start` is production mode: on SIGTERM the worker stops taking jobs and waits for its
# calls to end (up to CALLWRIGHT_WORKER_DRAIN_TIMEOUT_SECONDS); give it a stop grace
# period longer than that (docker-compose.yml does).
STOPSIGNAL SIGTERM
CMD ["callwright", "worker", "start"]
