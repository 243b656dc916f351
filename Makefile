# Konstruktor: `make run` starts everything on embedded defaults; `make test` installs and tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000
PYTEST_ARGS ?=

.PHONY: install system-deps run worker test lint format clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(STAMP)

# Debian packages the test suite uses (docker-compose validates docker-compose.yml; the NAS
# tests and benchmarks read Fashion-MNIST from dataset-fashion-mnist).
system-deps:
	@command -v docker-compose >/dev/null 2>&1 || { \
	  echo "installing Debian's docker-compose"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null; }
	@test -f /usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz || { \
	  echo "installing Debian's dataset-fashion-mnist"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist >/dev/null; }

run: install
	KONSTRUKTOR_HOST=$(HOST) KONSTRUKTOR_PORT=$(PORT) $(BIN)/python -m backend.launcher

worker: install
	$(BIN)/celery -A worker.celery_app worker --loglevel INFO --concurrency 1

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy backend worker mlcore tests

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: install system-deps lint
	$(BIN)/python -m pytest -p no:cacheprovider $(PYTEST_ARGS) tests

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
