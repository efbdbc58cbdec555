# Delivery: the GitHub Actions workflows are linted, the Prometheus rules are unit-tested,
# the deploy workflow's steps are make targets (a human runs the same ones), and
# `make demo` records the reviewer's transcript (docs/demo.md).
PROMETHEUS_RULES := $(wildcard monitoring/rules/*.rules.yml)
PROMETHEUS_RULE_TESTS := $(wildcard monitoring/tests/*.test.yml)

# Images are tagged with the full commit SHA; ECR tags are immutable, so a tag names exactly
# one build forever and a rollback is "deploy the previous SHA".
# IMAGE_TAG given on the command line (or in the environment) also reaches Terragrunt as
# TF_VAR_image_tag, which wins over the image_tag input of live/<env>/compute/terragrunt.hcl
# (Terragrunt never overrides a TF_VAR_ already set). Without it, deploys use that tag.
#
# A given IMAGE_TAG reaches shells, Terraform and registries: it must be a commit SHA, 7-40
# lower-case hex digits. It is checked on its raw text ($(value ...)) BEFORE anything expands
# it: a command-line variable is expanded by make, so IMAGE_TAG='$(shell ...)' would run.
hex_digits := 0 1 2 3 4 5 6 7 8 9 a b c d e f
without_hex = $(if $(2),$(call without_hex,$(subst $(firstword $(2)),,$(1)),$(wordlist 2,16,$(2))),$(1))
spread_hex = $(if $(2),$(call spread_hex,$(subst $(firstword $(2)),$(firstword $(2)) ,$(1)),$(wordlist 2,16,$(2))),$(1))
# Non-empty when the caller named IMAGE_TAG (the command line or the environment), not the
# HEAD default below: the one test every recipe and check uses.
IMAGE_TAG_GIVEN := $(filter command line environment,$(origin IMAGE_TAG))
ifneq ($(IMAGE_TAG_GIVEN),)
  image_tag_digits := $(words $(call spread_hex,$(value IMAGE_TAG),$(hex_digits)))
  ifneq ($(words $(value IMAGE_TAG))$(call without_hex,$(value IMAGE_TAG),$(hex_digits)),1)
    $(error IMAGE_TAG must be a commit SHA (7-40 lower-case hex digits); fix the tag you passed)
  endif
  ifeq ($(filter $(image_tag_digits),$(shell seq 7 40)),)
    $(error IMAGE_TAG must be a commit SHA (7-40 lower-case hex digits); fix the tag you passed)
  endif
  export TF_VAR_image_tag := $(IMAGE_TAG)
endif
IMAGE_TAG ?= $(shell git rev-parse --verify -q HEAD 2>/dev/null || echo unknown)
APP_VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml)
APP_IMAGE := sumapi
GATEWAY_IMAGE := sumapi-gateway
# Written by `make smoke`, read by `make deploy-summary` (the workflow's job summary).
DEPLOY_SUMMARY ?= $(ROOT)/.run/deploy-summary.md

# One output of a unit: $(call unit_output,UNIT,NAME), read the one way every tool reads them
# (ops/units.py; recipes only: INFRA_ENV, TERRAGRUNT and LIVE_DIR come from mk/deploy.mk
# and mk/tools.mk).
unit_output = env $(INFRA_ENV) $(PY) -m ops.units output --terragrunt $(TERRAGRUNT) $(LIVE_DIR)/$(1) $(2)
# What a recipe reading outputs needs: tofu and terragrunt (on ENV=local also the provider
# mirror and the emulator) and the venv, given in mk/deploy.mk (OUTPUT_PREREQS; infra-prereqs
# is what a deploy step needs, the whole emulated account on ENV=local). Targets, not
# variables, so that files read before that one (mk/containers.mk, this one) can name them in
# their rules' prerequisites.
.PHONY: unit-outputs
compute_output = $(call unit_output,compute,$(1))

.PHONY: lint-actions test-rules demo env-hcl wait-deployed endpoint smoke \
  deploy-summary

## Checks (make test) ---------------------------------------------------------------------

# actionlint is built by mk/tools.mk's tool chain (its own stamp only, not all of `make
# tools`), made from the recipe.
# actionlint runs shellcheck on every `run:` block when shellcheck is on PATH. GitHub's
# runners have it, so it is installed here too: otherwise CI and laptops would disagree.
lint-actions: ## actionlint (+ shellcheck of run: blocks) on .github/workflows
	@devtools/apt-ensure shellcheck:shellcheck
	@$(MAKE) $(ACTIONLINT_STAMP)
	$(ACTIONLINT) -pyflakes=

test-rules: $(VENV_STAMP) ## promtool check + unit tests of the alerting rules; rules match /metrics
	@devtools/apt-ensure promtool:prometheus
	promtool check config monitoring/prometheus.yml
	promtool check rules $(PROMETHEUS_RULES)
	promtool test rules $(PROMETHEUS_RULE_TESTS)
	$(VENV)/bin/pytest -q tests/rules

## Release steps of .github/workflows/deploy.yml (need Docker, the AWS CLI and credentials) --

# live/<env>/env.hcl of a real account is git-ignored (account id, certificate, e-mail); the
# deploy job gets it from the GitHub environment's ENV_HCL variable. An existing file wins.
env-hcl: ## CI: write live/ENV/env.hcl from the ENV_HCL variable unless the file exists
	@if [ -f $(LIVE_DIR)/env.hcl ]; then echo "env-hcl: $(LIVE_DIR)/env.hcl exists, kept"; \
	elif [ -z "$${ENV_HCL:-}" ]; then \
	  echo "env-hcl: no $(LIVE_DIR)/env.hcl and ENV_HCL is empty: set the GitHub environment" \
	    "variable ENV_HCL to the file's content (template: $(LIVE_DIR)/env.hcl.example)" >&2; exit 1; \
	else printf '%s\n' "$$ENV_HCL" >$(LIVE_DIR)/env.hcl; echo "env-hcl: wrote $(LIVE_DIR)/env.hcl"; fi

# Not `aws ecs wait services-stable` alone: after a circuit-breaker rollback the service is
# stable too, on the previous task definition (ops/wait-deployed says what it checks). On
# ENV=local the emulator's ECS answers, kept by the local agent (localenv/ecs_emulation.py).
wait-deployed: infra-prereqs unit-outputs ## Wait until ENV's ECS service runs the applied task definition, healthy
	@devtools/apt-ensure aws:awscli
	@env $(INFRA_ENV) ops/wait-deployed "$$($(call compute_output,cluster_name))" \
	  "$$($(call compute_output,service_name))" "$$($(call compute_output,task_definition_arn))"

# The compute unit's url output decides: https://<domain_name>, https://<ALB name> (HTTPS
# without a domain: the certificate does not cover that name) or http://<ALB name> (on
# ENV=local the ALB's name is the local load balancer's address).
SERVICE_URL = $(call compute_output,url)
endpoint: unit-outputs ## Print url=<public URL of ENV's service> (GitHub step output format)
	@url=$$($(SERVICE_URL)) && echo "url=$$url"

# The checks are ops/smoke-test's; make resolves its inputs. The URL: SMOKE_URL, else ENV's
# endpoint. The key: SMOKE_API_KEY, through the environment (never on a command line).
SMOKE_URL ?=
smoke: unit-outputs ## Smoke test through ENV's load balancer (or SMOKE_URL); key in SMOKE_API_KEY
	@devtools/apt-ensure jq:jq
	@mkdir -p $(dir $(DEPLOY_SUMMARY))
	@url='$(SMOKE_URL)'; [ -n "$$url" ] || url=$$($(SERVICE_URL)); \
	  ops/smoke-test "$$url" '$(DEPLOY_SUMMARY)'

deploy-summary: unit-outputs ## Markdown summary of the last deployment of ENV (the workflow's job summary)
	@ops/deploy-summary '$(ENV)' '$(or $(MODULE),all)' \
	  '$(if $(IMAGE_TAG_GIVEN),$(IMAGE_TAG))' \
	  "$$($(SERVICE_URL) 2>/dev/null || true)" \
	  "$$($(call compute_output,task_definition_arn) 2>/dev/null || true)" '$(DEPLOY_SUMMARY)'

## Demo -------------------------------------------------------------------------------------

# Not part of `make test`: it builds the tool chain, starts nginx, the app and the
# emulator, deploys every unit and takes minutes. It stops everything it started.
demo: $(VENV_STAMP) ## Run the local stack and the emulator deployment; write docs/demo.md
	@devtools/apt-ensure jq:jq promtool:prometheus
	devtools/demo docs/demo.md

TEST_TARGETS += lint-actions test-rules
FAST_TARGETS += test-rules
