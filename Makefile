# xuefa — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
APPS   := credits exams reports roster

WEB_SRC := $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/vite.config.ts web/tsconfig.json
WEB_DEPS := web/node_modules/.ci-stamp
WEB_DIST := web/dist/index.html

.PHONY: run test test-fast lint format clean install report bench synth deploy openapi fuzz web web-types browser

install: $(STAMP)

# The virtualenv is made here, from nothing but Python 3.11 and the package index.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade 'pip<26.3'
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

## web: the web apps, built into web/dist when their sources changed (npm ci from the lock file)
web: $(WEB_DIST)

$(WEB_DEPS): web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(WEB_DIST): $(WEB_DEPS) $(WEB_SRC)
	cd web && npm run build --silent

## web-types: regenerate the web client's types from the OpenAPI document
web-types: $(STAMP) $(WEB_DEPS)
	$(BIN)/python -m infra.local.openapi openapi.json
	cd web && npx openapi-typescript ../openapi.json -o src/api/schema.d.ts

## browser: Debian's chromium, CJK fonts and ffmpeg (a test's own video) for the browser tests (installed when missing and root)
browser:
	@command -v chromium >/dev/null && command -v ffmpeg >/dev/null && fc-list :lang=zh | grep -q . || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk ffmpeg >/dev/null; \
	  else echo "browser tests need: apt-get install chromium fonts-noto-cjk ffmpeg (as root)"; exit 1; fi; }

## run: the whole system on http://127.0.0.1:8000 with demo data (FRESH=1 starts anew; PORT=… to move it; TODAY=2027-06-15T10:00 runs its clock from then)
run: $(STAMP) $(WEB_DIST)
	$(BIN)/python -m infra.local $(if $(PORT),--port $(PORT)) $(if $(FRESH),--fresh) $(if $(TODAY),--today $(TODAY))

## report: run the nightly report now against the running local stack (DATE=YYYY-MM-DD, default the stack's yesterday)
report: $(STAMP)
	$(BIN)/python -m infra.local.report $(if $(DATE),--date $(DATE))

## bench: every benchmark under tests/bench, printing figures
bench: $(STAMP)
	$(BIN)/python -m tests.bench

## synth: the CloudFormation template, offline, into cdk.out/ (STAGE=prod; REGION=cn-northwest-1, ap-southeast-1 …; default cn-north-1)
synth: $(STAMP) $(WEB_DIST)
	AWS_DEFAULT_REGION=$(or $(REGION),$${AWS_DEFAULT_REGION:-cn-north-1}) XUEFA_STAGE=$(or $(STAGE),dev) $(BIN)/python infra/app.py

## deploy: synth, then deploy with the AWS CDK CLI (needs AWS credentials and a bootstrapped account; in China DOMAIN=… CERT=…)
deploy: synth
	npx --yes aws-cdk@2 deploy --app cdk.out --require-approval broadening xuefa-$(or $(STAGE),dev) \
		$(if $(DOMAIN),--parameters Domain=$(DOMAIN) --parameters IamCertificateId=$(CERT))

## openapi: write openapi.json, generated from the routes and their models
openapi: $(STAMP)
	$(BIN)/python -m infra.local.openapi openapi.json

## fuzz: the schema fuzz of every route against a local stack, with many examples
fuzz: $(STAMP)
	XUEFA_FUZZ_EXAMPLES=$(or $(EXAMPLES),300) XUEFA_ST_EXAMPLES=$(or $(EXAMPLES),200) XUEFA_ST_SEED=random \
		$(BIN)/python -m pytest -q tests/e2e/test_fuzz.py tests/e2e/test_schemathesis.py

## test: every test (unit, API on moto, concurrency, end-to-end and browser against the local stack, web unit tests)
test: $(STAMP) $(WEB_DIST) browser
	cd web && npx vitest run --reporter=dot
	rm -rf .xuefa-calls
	XUEFA_RECORD_CALLS=$(CURDIR)/.xuefa-calls/calls.jsonl $(BIN)/python -m pytest -q -n 2 --dist loadgroup \
		-p tests.api.recorder --deselect tests/infra/test_roles_cover_calls.py --durations=30 \
		--cov=functions --cov-report=term:skip-covered --cov-fail-under=94
	XUEFA_ROLE_CALLS=$(CURDIR)/.xuefa-calls $(BIN)/python -m pytest -q tests/infra/test_roles_cover_calls.py

## test-fast: unit, contract and API tests only
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q tests/unit tests/contract tests/api

## lint: ruff (lint + format check) and mypy; ESLint and vue-tsc; web types must match the OpenAPI document
lint: $(STAMP) $(WEB_DIST)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	cd web && npx eslint . && npx vue-tsc --noEmit -p tsconfig.json
	$(BIN)/python -m infra.local.openapi $(CURDIR)/.xuefa-openapi.json >/dev/null
	cd web && npx openapi-typescript ../.xuefa-openapi.json -o ../.xuefa-schema.d.ts >/dev/null 2>&1
	@diff -q web/src/api/schema.d.ts .xuefa-schema.d.ts >/dev/null || { \
	  echo "web/src/api/schema.d.ts is stale: run make web-types"; rm -f .xuefa-openapi.json .xuefa-schema.d.ts; exit 1; }
	rm -f .xuefa-openapi.json .xuefa-schema.d.ts
	# The production template for both China regions (our own identity) and a global one
	# (Cognito), each linted for the regions it is meant for.
	# W3005: CDK's BucketDeployment states a dependency twice (DependsOn and GetAtt); harmless.
	# W3045: the access-log bucket needs the log-delivery ACL: CloudFront's standard logs
	# are written through ACLs, not a bucket policy.
	for region in cn-north-1 cn-northwest-1 ap-southeast-1; do \
	  AWS_DEFAULT_REGION=$$region XUEFA_STAGE=prod XUEFA_CDK_OUT=cdk.out/$$region $(BIN)/python infra/app.py && \
	  $(BIN)/cfn-lint --ignore-checks W3005 W3045 --regions $$region -- cdk.out/$$region/xuefa-prod.template.json && \
	  echo "cfn-lint $$region: no errors" || exit 1; done
	for app in $(APPS) identity; do $(BIN)/mypy --no-namespace-packages functions/$$app/app.py || exit 1; done

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## clean: remove the virtualenv, local data and build output
clean:
	rm -rf $(VENV) .xuefa .xuefa-calls .pytest_cache .mypy_cache .ruff_cache cdk.out chalice.out openapi.json
	rm -rf web/node_modules web/dist web/test-results tests/browser/screenshots
	rm -rf functions/*/.chalice/deployments
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
