# Shared settings: the shell, the paths and the variables every file under mk/ reads, and the
# lists each file adds its checks to. The Makefile reads this file first.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

# Before any include: the directory above this file's is the checkout.
ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))..)

include versions.env

VENV ?= $(ROOT)/.venv
PY := $(VENV)/bin/python
TOOLS_DIR ?= $(ROOT)/.tools
ENV ?= local
MODULE ?=
# The AWS emulator that ENV=local deploys to (mk/local.mk starts it; mk/deploy.mk points every
# tofu, terragrunt and AWS SDK call of ENV=local at it).
EMULATOR_PORT ?= 5000
EMULATOR_URL := http://127.0.0.1:$(EMULATOR_PORT)

# What `make test` and `make test-fast` run: each file adds its own checks.
TEST_TARGETS :=
FAST_TARGETS :=
