# Deploying: the Terragrunt live tree of ENV (state bucket, provider locks, plan, deploy, destroy).
# Every target takes ENV= (default local: the emulator) and MODULE= (one unit of live/$(ENV)).
# See docs/infrastructure.md.

LIVE_DIR := live/$(ENV)
# Extra tofu plan flags, e.g. PLAN_ARGS=-detailed-exitcode (exit 2 when any unit would change).
PLAN_ARGS ?=

# The targets that run Terragrunt in live/ENV stop here, in one line and before Terragrunt
# (whose ParentFileNotFoundError would repeat per unit), without the environment's env.hcl
# (git-ignored for a real account) or with an env.hcl of the old shape, whose per-unit maps
# (compute = {...}) no unit reads any more: their settings are in live/ENV/<unit>/terragrunt.hcl.
LIVE_GOALS := backend-bootstrap providers-lock plan saved-plan apply-saved-plan deploy first-deploy \
  destroy plan-file graph \
  seed-key rotate-key retire-key list-keys push-images promote-images wait-deployed endpoint
LIVE_UNITS := $(notdir $(patsubst %/terragrunt.hcl,%,$(wildcard $(LIVE_DIR)/*/terragrunt.hcl)))
ifneq ($(filter $(LIVE_GOALS),$(MAKECMDGOALS)),)
  ifeq ($(LIVE_UNITS),)
    $(error ENV=$(ENV): no environment $(LIVE_DIR); environments: $(sort $(notdir $(patsubst %/,%,$(dir $(wildcard live/*/env.hcl live/*/env.hcl.example))))))
  else ifeq ($(wildcard $(LIVE_DIR)/env.hcl),)
    $(error $(LIVE_DIR)/env.hcl is missing: copy $(LIVE_DIR)/env.hcl.example to it and fill it in (CI: make env-hcl ENV=$(ENV) writes it from the ENV_HCL variable))
  endif
  OLD_UNIT_MAPS := $(filter $(LIVE_UNITS) bootstrap github_oidc,$(shell sed -n -E 's/^[[:space:]]*([a-z_-]+)[[:space:]]*=[[:space:]]*\{.*/\1/p' $(LIVE_DIR)/env.hcl))
  ifneq ($(OLD_UNIT_MAPS),)
    $(error $(LIVE_DIR)/env.hcl has per-unit maps ($(OLD_UNIT_MAPS)) that no unit reads: move their settings to $(LIVE_DIR)/<unit>/terragrunt.hcl and rewrite env.hcl from $(LIVE_DIR)/env.hcl.example (docs/runbook.md))
  endif
endif
# The unit that defines the pipeline's own roles and their trust (modules/github-oidc). CI never
# applies it: in CI a run over every unit skips it and MODULE= refuses it; an operator applies
# it (MODULE=$(CI_ROLES_UNIT), or a plain `make deploy` outside CI). The emulator too: the
# rehearsal of the first deploy (tests/containers) runs the workflow's jobs under the roles an
# operator's step applied. The deploy workflow's unit choice is every other unit
# (tests/iac_static/test_workflow_units.py).
CI_ROLES_UNIT := github-oidc
# MODULE= is checked here, once, for every target and caller (the deploy workflow's unit choice
# included): one line naming the units, before anything runs.
ifneq ($(MODULE),)
  ifeq ($(wildcard $(LIVE_DIR)/$(MODULE)/terragrunt.hcl),)
    $(error MODULE=$(MODULE): no unit $(LIVE_DIR)/$(MODULE); units: $(notdir $(patsubst %/terragrunt.hcl,%,$(wildcard $(LIVE_DIR)/*/terragrunt.hcl))))
  endif
  ifneq ($(CI),)
    ifeq ($(MODULE),$(CI_ROLES_UNIT))
      $(error MODULE=$(MODULE): CI never applies the unit of its own roles; an operator applies it from a workstation: make deploy ENV=$(ENV) MODULE=$(MODULE) (docs/runbook.md#first-deploy))
    endif
  endif
endif
# Non-empty when this run covers one of the units $(1): every unit (no MODULE=), or MODULE is one.
runs_unit = $(if $(MODULE),$(filter $(MODULE),$(1)),all)

# ECR holds only commit-SHA tags (make push-images). A real environment's deploy that runs
# compute names the one its service is to run: the compute unit's image_tag is a placeholder
# for plans, and a service rolled to it would pull an image that was never pushed.
ifneq ($(ENV),local)
  ifneq ($(and $(filter deploy,$(MAKECMDGOALS)),$(call runs_unit,compute)),)
    ifeq ($(IMAGE_TAG_GIVEN),)
      $(error deploy ENV=$(ENV)$(if $(MODULE), MODULE=$(MODULE)): name the image the service runs: IMAGE_TAG=<commit SHA that make push-images pushed> (the last deploy's job summary shows the running one))
    endif
  endif
endif

# Environment of every tofu/terragrunt run: the pinned binary.
INFRA_ENV := TG_TF_PATH=$(TOFU) TF_IN_AUTOMATION=1 \
  TG_NON_INTERACTIVE=true TG_NO_COLOR=true TG_TF_FORWARD_STDOUT=true
ifeq ($(ENV),local)
  # The emulator and the offline tests only: providers from this machine's mirror (the
  # pinned provider, linked). Real environments install them from the registry, pinned by the
  # .terraform.lock.hcl committed in each unit (docs/infrastructure.md, "Provider lock files").
  # The caller is the emulator's administrator (moto's fixed key), which keeps a developer's
  # real AWS profile out of it, unless EMULATOR_ACCESS_KEY_ID/EMULATOR_SECRET_ACCESS_KEY/
  # EMULATOR_SESSION_TOKEN name an identity of the emulator's own IAM: the rehearsal runs the
  # operator's steps as an IAM user and each workflow job with the role it assumed, and judges
  # their calls (docs/infrastructure.md, "IAM on the emulator"). What stands in for AWS itself
  # on ENV=local only (the local ECS agent, which plays ECS) runs as the administrator whoever
  # calls: EMULATOR_ADMIN_ENV.
  # AWS_ENDPOINT_URL sends every AWS SDK call that has no explicit endpoint (terragrunt's
  # bootstrap asks STS for the account id, boto3 in the key tool) to the emulator too.
  # No shared provider cache (Terragrunt turns one on for OpenTofu >= 1.10): the mirror is
  # linked into each unit anyway, and parallel inits of `run --all` raced in that cache
  # ("still not detected in ~/.cache/terragrunt/providers", seen in CI and in test-infra).
  EMULATOR_ACCESS_KEY_ID ?= testing
  EMULATOR_SECRET_ACCESS_KEY ?= testing
  EMULATOR_SESSION_TOKEN ?=
  INFRA_ENV := -u AWS_PROFILE -u AWS_SESSION_TOKEN TF_CLI_CONFIG_FILE=$(TOFURC) $(INFRA_ENV) \
    TG_NO_AUTO_PROVIDER_CACHE_DIR=true \
    AWS_ACCESS_KEY_ID=$(EMULATOR_ACCESS_KEY_ID) AWS_SECRET_ACCESS_KEY=$(EMULATOR_SECRET_ACCESS_KEY) \
    $(if $(EMULATOR_SESSION_TOKEN),AWS_SESSION_TOKEN=$(EMULATOR_SESSION_TOKEN)) \
    AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 \
    AWS_ENDPOINT_URL=$(EMULATOR_URL) SUMAPI_EMULATOR_ENDPOINT=$(EMULATOR_URL)
  EMULATOR_ADMIN_ENV := AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_SESSION_TOKEN=
  # plan/deploy/destroy of ENV=local use the images of this checkout (make push-images).
  DEPLOY_ENV := TF_VAR_image_tag=$(IMAGE_TAG)
  # Reading state needs the emulator; the emulated account is it, its ECR registry and its
  # ECS agent.
  OUTPUT_PREREQS := tools emulator
  INFRA_PREREQS := $(OUTPUT_PREREQS) local-tasks
else
  INFRA_PREREQS := infra-tools
  OUTPUT_PREREQS := infra-tools
  # The SDK steps (key tool, push, wait) use env.hcl's aws_region, as the units do, not the shell's.
  INFRA_ENV += $(foreach r,$(shell sed -n -E 's/^[[:space:]]*aws_region[[:space:]]*=[[:space:]]*"([a-z0-9-]+)".*/\1/p' $(LIVE_DIR)/env.hcl 2>/dev/null),AWS_REGION=$(r) AWS_DEFAULT_REGION=$(r))
  ifneq ($(CI),)
    # CI installs exactly the providers of the committed lock files; a missing or stale lock
    # file fails the init instead of being rewritten on the runner.
    INFRA_ENV += TF_CLI_ARGS_init=-lockfile=readonly
  endif
endif

# For the recipes of files read before this one: what reading unit outputs needs
# (mk/delivery.mk's unit-outputs), and what the environment's deploy steps need.
.PHONY: infra-prereqs
unit-outputs: $(OUTPUT_PREREQS) $(VENV_STAMP)
infra-prereqs: $(INFRA_PREREQS) $(VENV_STAMP)

TG := env $(INFRA_ENV) $(TERRAGRUNT)
TG_DEPLOY := env $(INFRA_ENV) $(DEPLOY_ENV) $(TERRAGRUNT)
TG_QUEUE_EXCLUDES :=
ifneq ($(CI),)
  TG_QUEUE_EXCLUDES := --queue-exclude-dir $(CI_ROLES_UNIT)
endif
# plan, deploy and destroy never create or reconfigure the state bucket (no --backend-bootstrap:
# it reads and rewrites the bucket's encryption, policy and public-access block, which the CI
# roles may not). `make backend-bootstrap` is the operator's step that creates it.
ifeq ($(MODULE),)
  # All units in dependency order.
  TG_RUN := $(TG_DEPLOY) run --all --non-interactive $(TG_QUEUE_EXCLUDES) --working-dir $(LIVE_DIR)
else
  # This unit only: its dependencies are NOT run; their outputs are read from their state
  # (plan falls back to the typed mock_outputs when a dependency was never applied).
  TG_RUN := $(TG_DEPLOY) run --non-interactive --working-dir $(LIVE_DIR)/$(MODULE)
endif
# One line naming `make backend-bootstrap` when the state bucket is missing, instead of
# tofu's init error. Lists the environment's prefix only: the CI roles may list nothing else.
BACKEND_CHECK := env $(INFRA_ENV) $(PY) -m ops.state_bucket check --live-dir $(LIVE_DIR)

.PHONY: backend-bootstrap providers-lock providers-lock-offline plan saved-plan apply-saved-plan \
  deploy first-deploy destroy plan-file graph

# An operator's step, once per environment, with rights on the bucket (not CI's roles):
# the versioned, encrypted, private, TLS-only state bucket of live/ENV/env.hcl.
# Every unit of an environment shares the bucket: one unit without dependencies bootstraps it
# (with --all, Terragrunt would need the outputs of dependencies never applied yet).
BACKEND_BOOTSTRAP_UNIT ?= registry
backend-bootstrap: $(INFRA_PREREQS) ## Create/configure ENV's state bucket (operator, once)
	$(TG) backend bootstrap --non-interactive --working-dir $(LIVE_DIR)/$(BACKEND_BOOTSTRAP_UNIT)
	@echo "backend-bootstrap: state bucket of $(LIVE_DIR)/env.hcl ready"

# Provider lock files: every unit of every environment has the same one (one provider, one
# constraint), the one the tests run with. A unit's lock file is what its module requires, so
# `tofu providers lock` runs in a scratch copy of versions.tf (devtools/provider-lock-files): no
# unit's dependencies are read. Through Terragrunt they would be, and before the first apply
# they have no outputs (mocks are allowed for plan only).
# providers-lock ENV=<env> is the operator's step on a real environment's first init (needs the
# registry): hashes of every platform that runs tofu (CI, laptops). ENV=local locks from this
# machine's mirror (the one platform it holds), offline. providers-lock-offline writes every
# environment's files from the mirror (after a version bump on this machine). Commit the files.
LOCK_PLATFORMS ?= linux_amd64 linux_arm64 darwin_amd64 darwin_arm64
LOCK_SOURCE = $(if $(filter local,$(ENV)),mirror=$(TF_MIRROR),registry)
providers-lock: $(if $(filter local,$(ENV)),tools,$(TOFU_STAMP)) ## live/ENV/<unit>/.terraform.lock.hcl (real ENV: registry hashes of LOCK_PLATFORMS; commit them)
	@LOCK_PLATFORMS="$(LOCK_PLATFORMS)" TOFU=$(TOFU) devtools/provider-lock-files $(LOCK_SOURCE) \
	  modules/registry $(dir $(wildcard $(LIVE_DIR)/*/terragrunt.hcl))
	@echo "providers-lock: commit $(LIVE_DIR)/*/.terraform.lock.hcl"

providers-lock-offline: tools ## Every environment's lock files from the offline mirror: this platform's hash only (commit them)
	@TOFU=$(TOFU) devtools/provider-lock-files mirror=$(TF_MIRROR) modules/registry \
	  $(dir $(wildcard live/*/*/terragrunt.hcl))
	@echo "providers-lock-offline: commit live/*/*/.terraform.lock.hcl"

# Without IMAGE_TAG a real environment plans the tag compute runs (its output), not the placeholder.
RUNNING_TAG = $(if $(and $(filter-out local,$(ENV)),$(call runs_unit,compute),$(if $(IMAGE_TAG_GIVEN),,not-given)),tag=$$($(call compute_output,image_tag) 2>/dev/null) && export TF_VAR_image_tag="$$tag";)
plan: $(INFRA_PREREQS) $(VENV_STAMP) ## tofu plan, ENV=local|dev, MODULE=<unit> for one unit
	@$(BACKEND_CHECK)
	$(RUNNING_TAG) $(TG_RUN) -- plan -input=false $(PLAN_ARGS)

# Change control (the deploy workflow's plan and deploy jobs; docs/delivery.md, "Saved plans"):
# saved-plan writes each unit's plan into PLAN_DIR and PLAN_DIR/summary.md for the approver;
# apply-saved-plan applies those files and nothing else. Both run tofu through
# ops/tofu-saved-plans, which keeps each plan's text and, on apply, refuses a unit whose inputs
# changed since its plan (a new unit planned on placeholders is planned again and applied only
# if it creates exactly what was approved).
PLAN_DIR ?= $(ROOT)/.run/plans/$(ENV)
# Always `run --all` (a single unit's `run` ignores --out-dir); MODULE= narrows the queue to it.
SAVED_PLANS = env SAVED_PLAN_TOFU=$(TOFU) $(TG_DEPLOY) run --all --non-interactive \
  $(TG_QUEUE_EXCLUDES) --working-dir $(LIVE_DIR) \
  $(if $(MODULE),--queue-include-dir $(MODULE) --queue-strict-include) \
  --tf-path $(ROOT)/ops/tofu-saved-plans --out-dir $(PLAN_DIR)
saved-plan: $(INFRA_PREREQS) $(VENV_STAMP) ## Plan ENV (MODULE=) into PLAN_DIR for approval; PLAN_DIR/summary.md shows it
	@$(BACKEND_CHECK)
	@rm -rf '$(PLAN_DIR)' && mkdir -p '$(PLAN_DIR)'
	$(RUNNING_TAG) $(SAVED_PLANS) --json-out-dir $(PLAN_DIR) -- plan -input=false $(PLAN_ARGS)
	@$(PY) -m ops.saved_plan summary '$(PLAN_DIR)' \
	  --title 'Plan of $(ENV) ($(or $(MODULE),every unit)$(if $(IMAGE_TAG_GIVEN), with image $(IMAGE_TAG)))' \
	  >'$(PLAN_DIR)/summary.md'
	@echo "saved-plan: $(PLAN_DIR) (summary.md for the approver)"

# Before any apply that runs compute: the API keys secret has a key (DescribeSecret, nothing
# decrypted); the service would start without one.
KEY_CHECK = $(if $(call runs_unit,compute),$(KEYTOOL) check,true)

# MODULE= must name what saved-plan planned (the same run of the workflow passes the same one).
apply-saved-plan: $(INFRA_PREREQS) $(VENV_STAMP) ## Apply exactly the plans of PLAN_DIR (make saved-plan); refuses a unit whose inputs changed
	@$(BACKEND_CHECK)
	@[ -n "$$(find '$(PLAN_DIR)' -name tfplan.tfplan 2>/dev/null)" ] || { echo "apply-saved-plan: $(PLAN_DIR) holds no saved plan: make saved-plan ENV=$(ENV)$(if $(MODULE), MODULE=$(MODULE)) PLAN_DIR=$(PLAN_DIR) makes them" >&2; exit 1; }
	@$(KEY_CHECK)
	$(SAVED_PLANS) -- apply -input=false
	@echo "apply-saved-plan: done (ENV=$(ENV)$(if $(MODULE), MODULE=$(MODULE)))"

# The same steps on every environment; ENV only changes the endpoints and credentials (on
# ENV=local, the emulated account: INFRA_PREREQS). The state bucket and the first API key are
# an operator's steps (make backend-bootstrap, make seed-key; make first-deploy does them).
# The service needs a key; the secrets unit alone is deployed before the first one exists
# (docs/runbook.md#first-deploy), so only a deploy that runs compute checks, with
# DescribeSecret, before it applies anything. What runs the new task definition is ECS (on ENV=local the local agent):
# make wait-deployed waits for it.
deploy: $(INFRA_PREREQS) $(VENV_STAMP) ## tofu apply, ENV=, MODULE=; a deploy of compute checks that an API key exists
	@$(BACKEND_CHECK)
	@$(KEY_CHECK)
	$(TG_RUN) -- apply -input=false -auto-approve
	@echo "deploy: done (ENV=$(ENV)$(if $(MODULE), MODULE=$(MODULE)))"

# docs/runbook.md#first-deploy's operator steps and the pipeline's first run as one target, all
# as the caller (an operator's, once per environment; on ENV=local after every `make down`): the
# state bucket, the repositories and the images before the service, the first key, every unit
# (CI's roles included), the wait for the tasks. tests/containers runs the runbook's own steps.
first-deploy: $(INFRA_PREREQS) $(VENV_STAMP) ## Operator, once: state bucket, repositories, images, first key, every unit, wait
	$(MAKE) backend-bootstrap
	$(MAKE) deploy MODULE=$(IMAGE_REPOSITORY_UNIT)
	$(MAKE) images push-images IMAGE_TAG=$(IMAGE_TAG)
	$(MAKE) deploy MODULE=secrets
	$(MAKE) seed-key
	$(MAKE) deploy IMAGE_TAG=$(IMAGE_TAG)
	$(MAKE) wait-deployed

# What stops a destroy of a real environment is cleared first (docs/runbook.md, "Tearing
# down an environment"): UNPROTECT=1 lifts the ALB's deletion protection and lets the
# access-log bucket go with its logs (a targeted apply of compute, only while its ALB
# exists). The ECR repositories go with their images (force_delete, modules/registry).
destroy: $(INFRA_PREREQS) $(VENV_STAMP) ## tofu destroy (reverse order), ENV=, MODULE=; UNPROTECT=1 lifts ALB deletion protection
ifneq ($(and $(UNPROTECT),$(call runs_unit,compute)),)
	@env $(INFRA_ENV) $(DEPLOY_ENV) ops/unprotect-for-destroy $(TERRAGRUNT) $(LIVE_DIR)/compute
endif
	$(TG_RUN) -- destroy -input=false -auto-approve

# PLAN_FILE=: where to write it (the emulator suite plans again elsewhere and compares).
PLAN_FILE ?= plan.txt
plan-file: tools $(VENV_STAMP) ## Regenerate plan.txt: every unit planned from an empty state
	env $(INFRA_ENV) $(PY) -m devtools.plan_file --env $(ENV) --terragrunt $(TERRAGRUNT) \
	  --tofu $(TOFU) --output $(PLAN_FILE)

# $(call unit_dag,ENV): the unit DAG of live/ENV on stdout, labelled (make graph writes it,
# make test-graphs compares it).
unit_dag = $(TG) dag graph --working-dir $(ROOT)/live/$(1) 2>/dev/null \
  | sed -e 's\#$(ROOT)/live/$(1)/\#\#g' -e 's\#$(ROOT)/\#\#g' \
    -e 's\#^digraph {\#digraph {\n\trankdir=RL;\n\tlabel="Terragrunt units of live/$(1): A -> B = B applies first (A reads its outputs, or waits for it: the roles of networking and compute carry the boundary github-oidc makes)";\#'

graph: tools ## Unit dependency graph: docs/graph.dot and docs/graph.svg
	@devtools/apt-ensure dot:graphviz
	$(call unit_dag,$(ENV)) > docs/graph.dot
	dot -Tsvg docs/graph.dot -o docs/graph.svg
	@echo "graph: docs/graph.dot docs/graph.svg ($(ENV))"
