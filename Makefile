# xuefa — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
APPS   := credits exams reports roster

.PHONY: run test test-fast lint format clean install report bench synth deploy openapi fuzz

install: $(STAMP)

# The virtualenv is made here, from nothing but Python 3.11 and the package index.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade 'pip<26.3'
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

## run: the whole system on http://127.0.0.1:8000 with demo data (FRESH=1 starts anew; PORT=… to move it)
run: $(STAMP)
	$(BIN)/python -m infra.local $(if $(PORT),--port $(PORT)) $(if $(FRESH),--fresh)

## report: run the nightly report now against the running local stack (DATE=YYYY-MM-DD, default yesterday)
report: $(STAMP)
	$(BIN)/python -m infra.local.report $(if $(DATE),--date $(DATE))

## bench: every benchmark under tests/bench, printing figures
bench: $(STAMP)
	$(BIN)/python -m tests.bench

## synth: the CloudFormation template, offline, into cdk.out/ (STAGE=prod for production settings)
synth: $(STAMP)
	AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-cn-north-1} XUEFA_STAGE=$(or $(STAGE),dev) $(BIN)/python infra/app.py

## deploy: synth, then deploy with the AWS CDK CLI (needs AWS credentials and a bootstrapped account)
deploy: synth
	npx --yes aws-cdk@2 deploy --app cdk.out --require-approval broadening xuefa-$(or $(STAGE),dev)

## openapi: write openapi.json, generated from the routes and their models
openapi: $(STAMP)
	$(BIN)/python -m infra.local.openapi openapi.json

## fuzz: the schema fuzz of every route against a local stack, with many examples
fuzz: $(STAMP)
	XUEFA_FUZZ_EXAMPLES=$(or $(EXAMPLES),300) $(BIN)/python -m pytest -q tests/e2e/test_fuzz.py

## test: every test (unit, API on moto, concurrency, end-to-end against the local stack)
test: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup

## test-fast: unit and API tests only
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q tests/unit tests/api

## lint: ruff (lint + format check) and mypy
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	AWS_DEFAULT_REGION=cn-north-1 XUEFA_STAGE=prod $(BIN)/python infra/app.py
	$(BIN)/cfn-lint cdk.out/xuefa-prod.template.json
	for app in $(APPS); do $(BIN)/mypy --no-namespace-packages functions/$$app/app.py || exit 1; done

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## clean: remove the virtualenv, local data and build output
clean:
	rm -rf $(VENV) .xuefa .pytest_cache .mypy_cache .ruff_cache cdk.out chalice.out openapi.json
	rm -rf functions/*/.chalice/deployments
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
