# The browser page's image (target `web`), built from the repository root:
#
#   docker build -f docker/web.Dockerfile --target web -t callwright-web .
#
# The page backend alone (`uv sync --package callwright-web`): the callwright-web and
# callwright-http members and their locked dependencies (FastAPI, httpx, uvicorn), no
# database layer, LiveKit or model SDK, installed from uv.lock into /app/.venv as wheels,
# beside the page's bundle. It runs `callwright-web`, what `callwright web` runs
# (tests/unit/test_deploy_config.py checks every module it imports).

# No `# syntax=` line, and the base images as build arguments: as docker/issuer.Dockerfile.
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
    uv sync --frozen --no-dev --no-editable --no-install-workspace --package callwright-web

# Then its own code, as wheels: the page backend and the HTTP pieces it shares.
COPY pyproject.toml uv.lock README.md ./
COPY shared/pyproject.toml shared/pyproject.toml
COPY issuer/pyproject.toml issuer/pyproject.toml
COPY worker/pyproject.toml worker/pyproject.toml
COPY devstack/pyproject.toml devstack/pyproject.toml
COPY http/ http/
COPY web/backend/ web/backend/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable --package callwright-web \
 && /app/.venv/bin/python -c "import callwright_web.app" \
 && ! /app/.venv/bin/python -c "import sqlalchemy" 2>/dev/null \
 && ! /app/.venv/bin/python -c "import callwright_shared" 2>/dev/null

# ---------------------------------------------------------------------------------------
# The page's browser bundle: livekit-client from npm, bundled by esbuild into web/dist at
# build time (nothing from a CDN at run time). Only web/dist goes into the image.
FROM ${NODE_IMAGE} AS web-assets
WORKDIR /app/web
COPY web/package.json web/package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

# ---------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS web
RUN groupadd --system --gid 10001 callwright \
 && useradd --system --uid 10001 --gid callwright --home-dir /home/callwright --create-home \
    --shell /usr/sbin/nologin callwright
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /app
# Code stays owned by root: the service user can read it, not change it.
COPY --from=builder /app/.venv /app/.venv
COPY --from=web-assets /app/web/dist /app/web/dist
# Inside a container the page listens on every interface. The bundle's directory is named:
# the default (web/dist of the working directory) is the checkout's.
ENV CALLWRIGHT_WEB_HOST=0.0.0.0 \
    CALLWRIGHT_WEB_PORT=3000 \
    CALLWRIGHT_WEB_STATIC_DIR=/app/web/dist
USER callwright
EXPOSE 3000
CMD ["callwright-web"]
