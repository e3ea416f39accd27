# One command each: `make run`, `make test`, `make check`. A fresh machine needs nothing
# but Python 3.11, Go and apt: every target installs what it is missing.
SHELL := bash
.DEFAULT_GOAL := help

PYTHON ?= python3
UV := $(PYTHON) -m uv
TOOLS := $(CURDIR)/.tools
LIVEKIT := $(TOOLS)/bin/livekit-server
LIVEKIT_VERSION := v1.13.5
# The compose tier's `docker compose` (v2: Debian bookworm's docker-compose 1.29 cannot read
# docker-compose.yml), built from source like livekit-server.
COMPOSE := $(TOOLS)/bin/docker-compose
COMPOSE_VERSION := v2.29.7
# The recordings' S3 tests' object store (docs/decisions.md#seaweedfs-from-source).
WEED := $(TOOLS)/bin/weed
WEED_VERSION := v0.0.0-20261109003541-7506e5f91cd6
WEB_SOURCES := web/package.json web/package-lock.json web/build.mjs web/index.html web/style.css web/console.html web/console.css $(wildcard web/src/*.ts)
REACT_EXAMPLE := examples/react-client
REACT_EXAMPLE_SOURCES := $(addprefix $(REACT_EXAMPLE)/,package.json package-lock.json build.mjs index.html) $(wildcard $(REACT_EXAMPLE)/src/*.ts*)
TS_CLIENT := clients/typescript
SDK_EXAMPLES := examples/node-proxy examples/nextjs-token-route
STARTER_CHECK := examples/agent-starter-react-check
TS_CLIENT_SOURCES := $(addprefix $(TS_CLIENT)/,package.json package-lock.json tsconfig.json) $(wildcard $(TS_CLIENT)/src/*.ts)

.PHONY: help install tools system-deps web-build examples-build clients-build starter-check sdk env-example test check format run bench docs

help:
	@echo "make run    - start LiveKit, the issuer and the worker locally (demo tenant seeded)"
	@echo "make test   - install everything and run every test tier"
	@echo "make check  - ruff format --check, ruff, mypy, import contracts"
	@echo "make bench  - run the benchmarks"
	@echo "make sdk    - regenerate clients/ (openapi.json, the Python and TypeScript SDKs)"
	@echo "make env-example - regenerate .env.example and docs/configuration.md from the settings"
	@echo "make docs   - serve the documentation site (docs/, mkdocs.yml) on 127.0.0.1:8001"

install:
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check uv
	$(UV) sync --frozen

tools: $(LIVEKIT) $(WEED)

$(LIVEKIT):
	mkdir -p $(TOOLS)/gobin $(TOOLS)/bin
	GOBIN=$(TOOLS)/gobin go install github.com/livekit/livekit-server/cmd/server@$(LIVEKIT_VERSION)
	mv $(TOOLS)/gobin/server $(LIVEKIT)

# `go install` refuses the module (its go.mod has a replace directive): built in its own folder.
$(WEED):
	mkdir -p $(TOOLS)/bin
	cd "$$(go mod download -json github.com/seaweedfs/seaweedfs@$(WEED_VERSION) | $(PYTHON) -c 'import json, sys; print(json.load(sys.stdin)["Dir"])')" && go build -o $(WEED) ./weed

$(COMPOSE):
	mkdir -p $(TOOLS)/gobin $(TOOLS)/bin
	GOBIN=$(TOOLS)/gobin go install github.com/docker/compose/v2/cmd@$(COMPOSE_VERSION)
	mv $(TOOLS)/gobin/cmd $(COMPOSE)

# docker.io and debootstrap: the compose tier's engine and its local base images.
system-deps:
	@missing=""; \
	command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	command -v espeak-ng >/dev/null 2>&1 || missing="$$missing espeak-ng"; \
	command -v sox >/dev/null 2>&1 || missing="$$missing sox"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v dockerd >/dev/null 2>&1 || missing="$$missing docker.io"; \
	command -v debootstrap >/dev/null 2>&1 || missing="$$missing debootstrap"; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

# The page's bundle (livekit-client from npm), rebuilt when its sources change.
web-build: web/dist/index.html

web/dist/index.html: $(WEB_SOURCES)
	cd web && npm ci --no-audit --no-fund && npm run build

# The React example's bundle; its node_modules also give the tests esbuild, which compiles
# the Next.js route example. The examples run on the same Node as web/
examples-build: $(REACT_EXAMPLE)/dist/index.html $(addsuffix /node_modules/.package-lock.json,$(SDK_EXAMPLES))

# The backend examples' one dependency, the TypeScript SDK (a `file:` link to clients/typescript).
$(addsuffix /node_modules/.package-lock.json,$(SDK_EXAMPLES)): %/node_modules/.package-lock.json: %/package.json %/package-lock.json $(TS_CLIENT)/dist/index.js
	cd $* && npm ci --no-audit --no-fund

$(REACT_EXAMPLE)/dist/index.html: $(REACT_EXAMPLE_SOURCES)
	cd $(REACT_EXAMPLE) && npm ci --no-audit --no-fund && npm run build

# The files docs/agent-starter-react.md has users copy, put where it says in a Next.js app on
# the starter's own versions (next 15.5.14, livekit-client 2.17.2; the React example checks
# them on 2.23), then the starter's prettier check, lint (`next lint`) and `next build`. No
# Google font in that app: offline, next/font/google cannot build (docs/agent-starter-react.md).
starter-check: clients-build examples-build
	cd $(STARTER_CHECK) && npm ci --no-audit --no-fund && NEXT_TELEMETRY_DISABLED=1 npm run check

# The TypeScript SDK's build (tsc); its node_modules also hold the pinned generator that
# `make sdk` and the sync test run.
clients-build: $(TS_CLIENT)/dist/index.js

$(TS_CLIENT)/dist/index.js: $(TS_CLIENT_SOURCES)
	cd $(TS_CLIENT) && npm ci --no-audit --no-fund && npm run build

# clients/ from the issuer's OpenAPI schema: after any change to the API (a unit test fails
# until then).
sdk: install
	cd $(TS_CLIENT) && npm ci --no-audit --no-fund
	$(UV) run --frozen python -m callwright_devstack.sdk --write
	$(MAKE) clients-build

# .env.example and docs/configuration.md from the settings classes: after any change to a
# setting (a unit test fails until then).
env-example: install
	$(UV) run --frozen python -m callwright_devstack.env_example --write

# Two test processes (pytest-xdist), each module whole in one of them (its stack is
# module-scoped); the compose tier after them, alone: its LiveKit takes the host's
# 50000-60000/udp, where the other tiers' servers pick their ports
# (docs/decisions.md#tests-in-two-processes). Both runs always run; either failing fails.
test: install tools $(COMPOSE) system-deps web-build examples-build clients-build
	@rc=0; \
	$(UV) run --frozen pytest -n 2 --dist loadfile --durations=20 --ignore=tests/compose || rc=$$?; \
	$(UV) run --frozen pytest tests/compose || rc=$$?; \
	exit $$rc

check: install
	$(UV) run ruff format --check .
	$(UV) run ruff check .
	$(UV) run mypy shared issuer worker http web/backend devstack src tests bench
	$(UV) run lint-imports
	cd web && npm ci --no-audit --no-fund && npm run check
	$(MAKE) clients-build examples-build
	cd $(REACT_EXAMPLE) && npm ci --no-audit --no-fund && npm run check
	$(MAKE) starter-check
	cd $(TS_CLIENT) && npm ci --no-audit --no-fund && npm run check

format: install
	$(UV) run ruff format .
	$(UV) run ruff check --fix .

# The S3 server is the tests' only: `make run` keeps recordings in a local folder.
run: install $(LIVEKIT) web-build
	$(UV) run --frozen callwright dev

bench: install $(LIVEKIT)
	$(UV) run python -m bench.create_session --write
	$(UV) run python -m bench.agent_join --sessions 25 --write
	$(UV) run python -m bench.turn_latency --turns 4 --concurrency 1 --write
	$(UV) run python -m bench.turn_latency --concurrency 1,2,4,6,8 --turns 2 --write
	$(UV) run python -m bench.turn_latency --no-old --lockstep --concurrency 1,2,4,6,8 --turns 2 --write --variant density-lockstep
	$(UV) run python -m bench.tool_roundtrip --write
	$(UV) run python -m bench.call_components --write
	$(UV) run python -m bench.call_threads --write
	$(UV) run python -m bench.report --write

# The documentation site, rebuilt as its pages change; port 8000 is the issuer's.
docs: install
	$(UV) run --frozen mkdocs serve --dev-addr 127.0.0.1:8001
