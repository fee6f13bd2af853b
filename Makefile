# Sluice — the two commands are `make demo` and `make test`; see README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

SWIFT ?= swift
STACK := scripts/stack.sh
ENV := .sluice/env
SLUICE := .build/debug/sluice
# Runs a command with the local stack's environment.
WITH_ENV := set -a && . $(ENV) && set +a &&

.PHONY: help stack stack-down build demo test unit-test integration-test samples-large bench bench-stages bench-screening bench-report bench-xlsx bench-api bench-vop bench-billing bench-notifications bench-types clean

help:
	@echo "make demo    - start the local stack, load Samples/debtors-10k.csv from S3, print the summary"
	@echo "make test    - start the local stack and run every test (unit and integration)"
	@echo "make bench   - release build and benchmarks (docs/performance.md)"
	@echo "make bench-stages - per-stage micro-benchmarks (decode, validate, screen, dedup, COPY encode)"
	@echo "make bench-screening - 1M rows with a 100k blacklist and 1M earlier attempts, vs psql"
	@echo "make bench-report / make bench-xlsx - rejection reports; XLSX readers side by side"
	@echo "make bench-api - an API-started run against sluice run; GET /v1/runs/{id} latency with wrk during a load"
	@echo "make bench-vop - the VOP stage against the simulator at 2 ms a call: cold cache, warm cache, and without VOP"
	@echo "make bench-billing - 100k attempts against the gateway simulator at 5 ms, then the rate limit at 500/s"
	@echo "make bench-notifications - signed notifications with wrk against one node for 60 s: ack latency, stored == sent"
	@echo "make bench-types - the shipped pipeline with typed columns against the same with every column text, and psql \\copy"
	@echo "make stack / make stack-down - start or stop PostgreSQL and SeaweedFS"

stack:
	@$(STACK) up

stack-down:
	@$(STACK) down

build:
	$(SWIFT) build --product sluice

demo: stack build
	@scripts/demo.sh

test: stack
	$(SWIFT) build --build-tests
	python3 -m unittest scripts/test_generate_debtors.py
	scripts/run_tests.sh

unit-test:
	$(SWIFT) test --skip IntegrationTests

integration-test: stack
	$(WITH_ENV) $(SWIFT) test --filter IntegrationTests --no-parallel

samples-large:
	@scripts/generate-large-samples.sh

bench: stack
	@scripts/bench.sh

# Per-stage micro-benchmarks: the package-benchmark suites in Benchmarks/, one per stage, on
# generated in-memory data; no stack needed (docs/performance.md, "Per-stage micro-benchmarks").
bench-stages:
	@scripts/bench_stages.sh

bench-screening: stack
	@scripts/bench_screening.sh

# Rejection reports: 1M rejections to CSV and XLSX, peak RSS (docs/performance.md).
bench-report: stack
	$(SWIFT) build --product sluice
	@scripts/bench_report.sh

bench-api: stack
	@scripts/bench_api.sh

bench-vop: stack
	@scripts/bench_vop.sh

bench-billing: stack
	@scripts/bench_billing.sh

bench-notifications: stack
	@scripts/bench_notifications.sh

bench-xlsx: stack
	@scripts/bench_xlsx.sh

# Typed columns (issue 15): 1M rows, shipped pipeline typed vs every column text vs psql \copy.
bench-types: stack
	@scripts/bench_types.sh

clean:
	rm -rf .build Benchmarks/.build
