# Delivery: the GitHub Actions workflows are linted, the Prometheus rules are unit-tested,
# the deploy workflow's steps are make targets (a human runs the same ones), and
# `make demo` records the reviewer's transcript (docs/demo.md).
PROMETHEUS_RULES := $(wildcard monitoring/rules/*.rules.yml)
PROMETHEUS_RULE_TESTS := $(wildcard monitoring/tests/*.test.yml)

# Images are tagged with the full commit SHA; ECR tags are immutable, so a tag names exactly
# one build forever and a rollback is "deploy the previous SHA".
# IMAGE_TAG given on the command line (or in the environment) also reaches Terragrunt as
# TF_VAR_image_tag, which wins over live/<env>/env.hcl's image_tag (Terragrunt never
# overrides a TF_VAR_ already set). Without it, deploys use env.hcl's tag.
#
# A given IMAGE_TAG reaches shells, Terraform and registries: it must be a commit SHA, 7-40
# lower-case hex digits. It is checked on its raw text ($(value ...)) BEFORE anything expands
# it: a command-line variable is expanded by make, so IMAGE_TAG='$(shell ...)' would run.
hex_digits := 0 1 2 3 4 5 6 7 8 9 a b c d e f
without_hex = $(if $(2),$(call without_hex,$(subst $(firstword $(2)),,$(1)),$(wordlist 2,16,$(2))),$(1))
spread_hex = $(if $(2),$(call spread_hex,$(subst $(firstword $(2)),$(firstword $(2)) ,$(1)),$(wordlist 2,16,$(2))),$(1))
ifneq ($(filter command line environment,$(origin IMAGE_TAG)),)
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

# One output of a unit: $(call unit_output,UNIT,NAME) (recipes only: TG and LIVE_DIR come from
# mk/infra.mk).
unit_output = $(TG) run --working-dir $(LIVE_DIR)/$(1) -- output -raw $(2)
compute_output = $(call unit_output,compute,$(1))

.PHONY: lint-actions test-rules demo env-hcl wait-deployed endpoint smoke \
  deploy-summary

## Checks (make test) ---------------------------------------------------------------------

# actionlint is built by mk/infra.mk's tool chain (its own stamp only, not all of `make
# tools`); made from the recipe because mk/infra.mk is read after this file.
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

ifeq ($(ENV),local)
# The emulator runs no container: the local ECS runner does (mk/containers.mk), behind its own
# load balancer. It is idempotent: it waits for, or rolls out, the applied task definition.
wait-deployed: local-tasks
endpoint:
	@echo "url=http://127.0.0.1:$(LB_PORT)"
else
# `aws ecs wait services-stable` alone is not enough: after a circuit-breaker rollback the
# service is stable too, on the PREVIOUS task definition. So the primary deployment must be
# the task definition Terragrunt just applied, and its rollout must have COMPLETED.
wait-deployed: tools ## Wait until ENV's ECS service runs the applied task definition, healthy
	@set -e; \
	cluster=$$($(call compute_output,cluster_name)); \
	service=$$($(call compute_output,service_name)); \
	want=$$($(call compute_output,task_definition_arn)); \
	echo "wait-deployed: $$service on $${want##*/}"; \
	for attempt in 1 2; do \
	  aws ecs wait services-stable --cluster "$$cluster" --services "$$service" && break; \
	done; \
	read -r got state <<<"$$(aws ecs describe-services --cluster "$$cluster" --services "$$service" \
	  --query 'services[0].deployments[?status==`PRIMARY`] | [0].[taskDefinition, rolloutState]' \
	  --output text)"; \
	if [ "$$got" != "$$want" ] || [ "$$state" != COMPLETED ]; then \
	  echo "wait-deployed: primary deployment is $${got##*/} ($$state), expected $${want##*/}:" \
	    "the circuit breaker rolled back; see docs/runbook.md#a-bad-deploy" >&2; exit 1; fi; \
	echo "wait-deployed: $$service stable on $${want##*/}"

# The compute unit's url output decides: https://<domain_name>, https://<ALB name> (HTTPS
# without a domain: the certificate does not cover that name) or http://<ALB name>.
endpoint: tools ## Print url=<public URL of ENV's service> (GitHub step output format)
	@url=$$($(call compute_output,url)) && echo "url=$$url"
endif

SMOKE_URL ?=
smoke: ## Smoke test through ENV's load balancer (or SMOKE_URL); key in SMOKE_API_KEY
	@devtools/apt-ensure jq:jq
	@mkdir -p $(dir $(DEPLOY_SUMMARY))
	@url='$(SMOKE_URL)'; \
	if [ -z "$$url" ]; then url=$$($(MAKE) -s endpoint ENV=$(ENV) | sed -n 's/^url=//p'); fi; \
	$(if $(filter local,$(ENV)),[ -n "$${SMOKE_API_KEY:-}" ] || SMOKE_API_KEY=$$($(LOCALECS) api-key); \
	export SMOKE_API_KEY;) \
	ops/smoke-test "$$url" $(DEPLOY_SUMMARY)

deploy-summary: ## Markdown summary of the last deployment of ENV (the workflow's job summary)
	@echo "## Deploy of \`$(ENV)\`"
	@echo
	@echo "| | |"
	@echo "| --- | --- |"
	@echo "| Units | $(or $(MODULE),all) |"
	@echo "| Image tag (commit) | $(if $(filter command line environment,$(origin IMAGE_TAG)),\`$(IMAGE_TAG)\`,image_tag of live/$(ENV)/env.hcl) |"
	@echo "| Endpoint | $$($(MAKE) -s endpoint ENV=$(ENV) 2>/dev/null | sed -n 's/^url=//p' || true) |"
	@echo "| Task definition | \`$$($(call compute_output,task_definition_arn) 2>/dev/null | sed 's#.*/##' || true)\` |"
	@echo
	@if [ -f $(DEPLOY_SUMMARY) ]; then cat $(DEPLOY_SUMMARY); fi
	@echo "Rollback: run this workflow with \`module = compute\` and \`image_tag\` = the previous"
	@echo "deploy's image tag (docs/runbook.md, *A bad deploy*)."

## Demo -------------------------------------------------------------------------------------

# Not part of `make test`: it builds the tool chain, starts nginx, the app and the
# emulator, deploys every unit and takes minutes. It stops everything it started.
demo: $(VENV_STAMP) ## Run the local stack and the emulator deployment; write docs/demo.md
	@devtools/apt-ensure jq:jq promtool:prometheus
	devtools/demo docs/demo.md

TEST_TARGETS += lint-actions test-rules
FAST_TARGETS += test-rules
