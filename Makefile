# One command each: `make run`, `make test`, `make check`. A fresh machine needs nothing
# but Python 3.11, Go and apt: every target installs what it is missing.
SHELL := bash
.DEFAULT_GOAL := help

PYTHON ?= python3
UV := $(PYTHON) -m uv
TOOLS := $(CURDIR)/.tools
LIVEKIT := $(TOOLS)/bin/livekit-server
LIVEKIT_VERSION := v1.13.5
WEB_SOURCES := web/package.json web/package-lock.json web/build.mjs web/index.html web/style.css $(wildcard web/src/*.ts)

.PHONY: help install tools system-deps web-build test check format run bench

help:
	@echo "make run    - start LiveKit, the issuer and the worker locally (demo tenant seeded)"
	@echo "make test   - install everything and run every test tier"
	@echo "make check  - ruff format --check, ruff, mypy"
	@echo "make bench  - run the benchmarks"

install:
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check uv
	$(UV) sync --frozen

tools: $(LIVEKIT)

$(LIVEKIT):
	mkdir -p $(TOOLS)/gobin $(TOOLS)/bin
	GOBIN=$(TOOLS)/gobin go install github.com/livekit/livekit-server/cmd/server@$(LIVEKIT_VERSION)
	mv $(TOOLS)/gobin/server $(LIVEKIT)

system-deps:
	@missing=""; \
	command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	command -v espeak-ng >/dev/null 2>&1 || missing="$$missing espeak-ng"; \
	command -v sox >/dev/null 2>&1 || missing="$$missing sox"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

# The page's bundle (livekit-client from npm), rebuilt when its sources change.
web-build: web/dist/index.html

web/dist/index.html: $(WEB_SOURCES)
	cd web && npm ci --no-audit --no-fund && npm run build

test: install tools system-deps web-build
	$(UV) run --frozen pytest

check: install
	$(UV) run ruff format --check .
	$(UV) run ruff check .
	$(UV) run mypy shared issuer worker src tests bench
	cd web && npm ci --no-audit --no-fund && npm run check

format: install
	$(UV) run ruff format .
	$(UV) run ruff check --fix .

run: install tools web-build
	$(UV) run --frozen callwright dev

bench: install tools
	$(UV) run python bench/create_session.py
	$(UV) run python bench/agent_join.py
	$(UV) run python bench/turn_latency.py
	$(UV) run python bench/turn_latency.py --concurrency 1,2,4,6,8 --turns 2
