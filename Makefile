# The one front door for humans and CI. Each concern has its own file under mk/;
# every file adds its checks to TEST_TARGETS so that `make test` runs all of them.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

include versions.env

ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
VENV ?= $(ROOT)/.venv
PY := $(VENV)/bin/python
TOOLS_DIR ?= $(ROOT)/.tools
ENV ?= local
MODULE ?=

TEST_TARGETS :=
FAST_TARGETS :=

# The service's quick checks first, so `make test` fails fast on a lint or unit error.
include mk/python.mk
include $(filter-out mk/python.mk,$(sort $(wildcard mk/*.mk)))

.PHONY: help test test-fast
# Grouped by the file that owns them; each file's first comment line names its concern.
help: ## List the targets, by concern
	@for file in $(MAKEFILE_LIST); do \
	  [ "$$file" = versions.env ] && continue; \
	  grep -qE '^[a-zA-Z_-]+:.*## ' $$file || continue; \
	  printf '\n%s:\n' "$$(head -1 $$file | sed -e 's/^# //' -e 's/[:.].*//')"; \
	  grep -hE '^[a-zA-Z_-]+:.*## ' $$file | awk -F':.*## ' '{printf "  %-20s %s\n", $$1, $$2}'; \
	done

test: $(TEST_TARGETS) ## Everything CI checks (the truth)
	@echo "make test: all checks passed ($(TEST_TARGETS))"

test-fast: $(FAST_TARGETS) ## Quick subset: lint, types, unit and process tests, alert rules, Markdown checks, module docs, tflint, IaC static checks, module tests, shell lint
	@echo "make test-fast: passed ($(FAST_TARGETS))"
