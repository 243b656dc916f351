# Konstruktor: `make run` starts everything on embedded defaults; `make test` installs and tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP     := $(VENV)/.dev-installed
HOST   ?= 127.0.0.1
PORT   ?= 8000
PYTEST_ARGS ?=
PYTEST := $(BIN)/python -m pytest -p no:cacheprovider
WORKERS ?= 2

NPM_STAMP := frontend/node_modules/.installed
WEB_SOURCES := $(shell find frontend/src -type f 2>/dev/null) frontend/index.html \
	frontend/package-lock.json frontend/vite.config.ts frontend/tsconfig.json

.PHONY: install install-dev system-deps frontend run worker weights lint format test test-fast \
	test-slow test-integration test-e2e test-web test-browser clean runner-wheel

# What the service needs to run ...
$(RUNTIME_STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

# ... and what testing and linting add.
$(DEV_STAMP): $(RUNTIME_STAMP) requirements-dev.txt
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(RUNTIME_STAMP)
install-dev: $(DEV_STAMP)

# The web app: npm packages from the committed lockfile, built into frontend/dist when the
# build is missing or older than its sources.
$(NPM_STAMP): frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

frontend/dist/index.html: $(NPM_STAMP) $(WEB_SOURCES)
	cd frontend && npm run build

frontend: frontend/dist/index.html

# Debian packages the test suite uses (docker-compose validates docker-compose.yml; the NAS
# tests and benchmarks read Fashion-MNIST from dataset-fashion-mnist; the browser tests
# drive chromium).
system-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@command -v docker-compose >/dev/null 2>&1 || { \
	  echo "installing Debian's docker-compose"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null; }
	@test -f /usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz || { \
	  echo "installing Debian's dataset-fashion-mnist"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist >/dev/null; }

run: install frontend
	KONSTRUKTOR_HOST=$(HOST) KONSTRUKTOR_PORT=$(PORT) $(BIN)/python -m backend.launcher

worker: install
	$(BIN)/celery -A worker.celery_app worker --loglevel INFO --concurrency 1

# Publisher weights into the service's weights folder ahead of use (pretrained: true):
# `make weights MODELS="efficientnet_b0 yolo11n"` (MODELS=all: every catalog model). The folder
# is KONSTRUKTOR_WEIGHTS_DIR, else $$KONSTRUKTOR_VAR_DIR/weights (var/weights); files come from
# KONSTRUKTOR_WEIGHTS_MIRROR when it is set, else from their publishers.
WEIGHTS_DIR ?= $(or $(KONSTRUKTOR_WEIGHTS_DIR),$(or $(KONSTRUKTOR_VAR_DIR),var)/weights)
weights: install
	@test -n "$(MODELS)" || { echo 'usage: make weights MODELS="efficientnet_b0 yolo11n" (or MODELS=all)'; exit 2; }
	$(BIN)/python -m mlcore weights pull $(MODELS) --weights-dir "$(WEIGHTS_DIR)" \
	  $(if $(KONSTRUKTOR_WEIGHTS_MIRROR),--weights-mirror "$(KONSTRUKTOR_WEIGHTS_MIRROR)")

# The job runner for cloud machines (docs/yandex-cloud.md): this repository as a wheel and the
# requirements it installs with, in dist/runner/ (the yandex backend uploads both to its bucket).
runner-wheel: install
	rm -rf dist/runner build
	$(BIN)/pip wheel -q --disable-pip-version-check --no-deps --no-build-isolation -w dist/runner .
	rm -rf build
	cp requirements-runner.txt dist/runner/

# ruff, mypy, and the layering contracts of pyproject.toml (import-linter).
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy backend worker mlcore storage tests benchmarks
	$(BIN)/lint-imports --no-cache

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# One tier of the suite (its pytest marker expression), with its wall time.
define tier
	@start=$$(date +%s); $(PYTEST) $(2) -m "$(3)" $(PYTEST_ARGS) tests; status=$$?; \
	echo "== tier $(1): $$(( $$(date +%s) - start )) s wall"; exit $$status
endef

# Tiers: fast (unit, minutes), slow (trains models), integration (PostgreSQL, Redis, S3),
# e2e (API + worker processes).
test-fast: install-dev
	$(call tier,fast,-n $(WORKERS),not slow and not integration and not e2e)

test-slow: install-dev
	$(call tier,slow,-n $(WORKERS),slow and not integration and not e2e)

test-integration: install-dev
	$(call tier,integration,-n $(WORKERS),integration and not e2e)

test-e2e: install-dev
	$(call tier,e2e,-n $(WORKERS),e2e)

# The web app: its API client against the API's schema, types, component tests, the build
# and its first-load budget.
test-web: install-dev $(NPM_STAMP)
	@start=$$(date +%s); cd frontend && npm run check:api && npm test && npm run build \
	  && npm run check:budget; status=$$?; \
	echo "== tier web: $$(( $$(date +%s) - start )) s wall"; exit $$status

# The browser paths in headless Chromium against the real service (e2e-artifacts/: screenshots).
test-browser: install-dev frontend
	@start=$$(date +%s); cd frontend && npx playwright test; status=$$?; \
	echo "== tier browser: $$(( $$(date +%s) - start )) s wall"; exit $$status

test: install-dev system-deps lint
	@$(MAKE) --no-print-directory test-fast test-slow test-integration test-e2e test-web \
	  test-browser

clean:
	rm -rf var dist .pytest_cache .mypy_cache .ruff_cache frontend/dist frontend/e2e-artifacts
