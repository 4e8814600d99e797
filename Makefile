# The two commands of the README: `make demo` (the main job) and `make test` (the tests).
# Both create or refresh the virtual environment first; nothing else needs installing.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
export PREFECT_HOME ?= $(CURDIR)/.prefect
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

.PHONY: demo test test-fast install browser postgres bench lint clean train-stance schedule unschedule lake unlake export-embedder

# torch is pinned to the CPU build (2.13.0+cpu) through requirements.lock.
$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --upgrade pip
	@$(BIN)/python -m pip install -q -c requirements.lock -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	@$(BIN)/claims check examples/seed-article.txt

# Browser tests drive Debian's chromium; install it once when missing (needs root, as on CI).
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; }

# The lake tests (tests/test_lake.py) start a throwaway PostgreSQL catalog: Debian's
# postgresql, installed once when missing (needs root, as on CI). `make demo` needs none of it.
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }

# The 15 slowest tests are listed at the end; a hung test fails after pytest-timeout's limit
# (pyproject.toml) with its stack instead of holding CI.
# No bytecode written (the installed packages' was compiled by pip): the tests write nothing
# inside the repository.
# pytest-xdist runs the test modules on TEST_WORKERS processes (default: one per core, at
# most 4; TEST_WORKERS=0 runs them in this process); a module stays on one worker, so its
# module fixtures are made once.
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); [ $$n -gt 4 ] && n=4; echo $$n)
PYTEST := PYTHONDONTWRITEBYTECODE=1 $(BIN)/python -m pytest -q --durations=15 -n $(TEST_WORKERS) --dist loadscope

test: $(STAMP) browser postgres
	$(PYTEST)

# The tests not marked slow (no Prefect server, browser, Dask cluster, killed runs or other
# long end-to-end runs): under 4 minutes on two cores.
test-fast: $(STAMP)
	$(PYTEST) -m "not slow"

# Local scheduling (scripts/scheduler.sh): Prefect server on 127.0.0.1:4200, work pool,
# the deployments of prefect.yaml and a worker; `make unschedule` stops all of it.
schedule: $(STAMP)
	scripts/scheduler.sh start

unschedule:
	scripts/scheduler.sh stop

# A local DuckLake to try (scripts/lake.sh): PostgreSQL catalog on 127.0.0.1 and a data
# folder, both under ./.lake; prints the CLAIMS_STORE / CLAIMS_LAKE_DATA_PATH exports.
# `make unlake` stops the server (the lake stays in ./.lake).
lake: $(STAMP) postgres
	@scripts/lake.sh start

unlake:
	@scripts/lake.sh stop

bench: $(STAMP)
	$(BIN)/python benchmarks/pipeline_stages.py

# Retrain the packaged claim-passage verifier (claims/score/data/verifier) from ../shared/data
# with its fixed seed, resumable (rerun after an interruption); docs/models.md is its model
# card. Not part of the tests. The earlier stance cross-encoder (claims/score/data/cross_encoder,
# the verifier's starting point): `python scripts/train_cross_encoder.py` alone (about 20 minutes idle).
# The contrastive claim-passage pairs (scripts/make_contrastive_pairs.py, seeded) go outside the
# checkout (PAIRS); the verifier trains on them and the stance mix (docs/models.md).
# The claim-passage verifier (docs/models.md), in three stages. VERIFIER_ARGS: the first stage,
# started from the packaged cross-encoder's weights, on the default pair set; VERIFIER2_ARGS:
# the second, from the first stage's last checkpoint, on a larger pair set (PAIRS2: 1,200
# pairs per kind, 8 sentences per document); VERIFIER3_ARGS: the third, from the second's last
# checkpoint, on a smaller pair set with the cross-outlet paraphrases (PAIRS3: 300 per kind,
# 3,000 per cross-outlet kind) and a larger replay of the stance mix; its export is what ships
# in claims/score/data/verifier. PAIRS_ARGS / TRAIN_ARGS add to or override every stage.
PAIRS ?= ../pairs
PAIRS2 ?= ../pairs2
PAIRS3 ?= ../pairs3
VERIFIER_ARGS ?= --init claims/score/data/cross_encoder --out .train/verifier/out --work .train/verifier \
	--mix-scale 0.12 --epochs 0.42 --lr 3e-5 --freeze-embeddings --held-per-source 600 --checkpoint-every 50
VERIFIER2_ARGS ?= --init-checkpoint .train/verifier/checkpoint.pt --out .train/verifier2/out \
	--work .train/verifier2 --mix-scale 0.12 --epochs 0.7 --lr 3e-5 --freeze-embeddings --held-per-source 600 \
	--checkpoint-every 50
VERIFIER3_ARGS ?= --init-checkpoint .train/verifier2/checkpoint.pt --out claims/score/data/verifier \
	--work .train/verifier3 --mix-scale 0.25 --epochs 0.8 --lr 3e-5 --freeze-embeddings --held-per-source 600 \
	--checkpoint-every 50
train-stance: $(STAMP)
	$(BIN)/python scripts/make_contrastive_pairs.py --out $(PAIRS) $(PAIRS_ARGS)
	$(BIN)/python scripts/train_cross_encoder.py --pairs $(PAIRS) $(VERIFIER_ARGS) $(TRAIN_ARGS)
	$(BIN)/python scripts/make_contrastive_pairs.py --out $(PAIRS2) --per-kind 1200 --per-doc 8 $(PAIRS_ARGS)
	$(BIN)/python scripts/train_cross_encoder.py --pairs $(PAIRS2) $(VERIFIER2_ARGS) $(TRAIN_ARGS)
	$(BIN)/python scripts/make_contrastive_pairs.py --out $(PAIRS3) --per-kind 300 --per-doc 4 --cross-outlet 3000 \
	  $(PAIRS_ARGS)
	$(BIN)/python scripts/train_cross_encoder.py --pairs $(PAIRS3) $(VERIFIER3_ARGS) $(TRAIN_ARGS)

# The embedding model as int8 ONNX in the package (claims/embed/data/), what
# embedding_backend = "onnx" loads without torch; prints its cosine to the torch vectors.
export-embedder: $(STAMP)
	$(BIN)/python scripts/export_embedder.py

# The code's own guards (pyproject.toml's [tool.ruff] and [tool.mypy]): ruff and mypy come with
# the dev extras that `make test` installs; any finding fails (CI runs this before the tests).
lint: $(STAMP)
	$(BIN)/ruff check claims claims_cli flows tests
	$(BIN)/mypy claims claims_cli flows tests

clean:
	rm -rf $(VENV) .prefect claims.duckdb claims.duckdb.wal
