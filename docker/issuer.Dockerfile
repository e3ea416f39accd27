# The issuer image (target `issuer`), built from the repository root:
#
#   docker build -f docker/issuer.Dockerfile --target issuer -t callwright-issuer .
#
# The `callwright` command with its `issuer` extra (`uv sync --package callwright --extra
# issuer`): the shared and issuer members and their locked dependencies, not the worker's
# (no livekit-agents, no onnxruntime), installed from uv.lock into /app/.venv as wheels.
# Its `issuer`, `db` and `admin` subcommands need nothing more
# (tests/unit/test_deploy_config.py checks every module they import).

# No `# syntax=` line: the engine's built-in Dockerfile frontend (Docker 20.10 and newer)
# has all this file uses (RUN --mount), and a syntax line pulls docker/dockerfile from
# Docker Hub on every build, which a host without a registry cannot do.
# The base images are build arguments: docker/local/build-images.sh makes stand-ins from
# Debian packages (the compose test tier's, docs/deploy.md section 11).

ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG UV_IMAGE=ghcr.io/astral-sh/uv:0.13
ARG NODE_IMAGE=node:22-bookworm-slim

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
    uv sync --frozen --no-dev --no-editable --no-install-workspace --package callwright --extra issuer

# Then callwright's own code, as wheels: the CLI (src/callwright), shared, http and issuer.
COPY pyproject.toml uv.lock README.md ./
COPY shared/ shared/
COPY http/ http/
COPY issuer/ issuer/
COPY worker/pyproject.toml worker/pyproject.toml
COPY web/backend/pyproject.toml web/backend/pyproject.toml
COPY devstack/pyproject.toml devstack/pyproject.toml
COPY src/ src/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable --package callwright --extra issuer \
 && /app/.venv/bin/python -c "import callwright.cli, callwright_issuer.app" \
 && ! /app/.venv/bin/python -c "import callwright_worker" 2>/dev/null \
 && ! /app/.venv/bin/python -c "import onnxruntime" 2>/dev/null

# ---------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
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

# ---------------------------------------------------------------------------------------
FROM runtime AS issuer
# Inside a container the API listens on every interface.
ENV CALLWRIGHT_ISSUER_HOST=0.0.0.0 \
    CALLWRIGHT_ISSUER_PORT=8000
USER callwright
EXPOSE 8000
# Applies the migrations, then serves; SIGTERM lets in-flight requests finish.
CMD ["callwright", "issuer"]
