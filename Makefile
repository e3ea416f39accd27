# One command each: `make run`, `make test`, `make check`. A fresh machine needs nothing
# but Python 3.11, Go and apt: every target installs what it is missing.
SHELL := bash
.DEFAULT_GOAL := help

PYTHON ?= python3
UV := $(PYTHON) -m uv
TOOLS := $(CURDIR)/.tools
LIVEKIT := $(TOOLS)/bin/livekit-server
LIVEKIT_VERSION := v1.13.5
APT_PACKAGES := postgresql espeak-ng sox

.PHONY: help install tools system-deps test check format run bench

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
	command -v espeak-ng >/dev/null 2>&1 || missing="$$missing espeak-ng"; \
	command -v sox >/dev/null 2>&1 || missing="$$missing sox"; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

test: install tools system-deps
	$(UV) run pytest

check: install
	$(UV) run ruff format --check .
	$(UV) run ruff check .
	$(UV) run mypy shared issuer worker src tests bench

format: install
	$(UV) run ruff format .
	$(UV) run ruff check --fix .

run: install tools
	$(UV) run callwright dev

bench: install tools
	$(UV) run python bench/create_session.py
