# Containers: the engine, the two images, the registry standing in for ECR, and the local ECS
# runner that makes ENV=local a full deployment (localenv/, docs/infrastructure.md).

# Docker when a daemon answers, else this project's podman (localenv/engine says which, once).
CONTAINER_ENGINE = $(eval CONTAINER_ENGINE := $(shell localenv/engine 2>/dev/null))$(CONTAINER_ENGINE)
REGISTRY_PORT ?= 5050
LB_PORT ?= 8088
# The registry unit's outputs: where each image is pushed (ECR; on ENV=local the local registry).
IMAGE_REPOSITORY_OUTPUTS := app_repository_url gateway_repository_url
IMAGE_REPOSITORY_UNIT := registry

.PHONY: container-engine images registry registry-stop push-images local-tasks local-tasks-stop \
  test-containers

container-engine: ## Install podman (used when no Docker daemon answers) and prove it runs
	@devtools/apt-ensure podman:podman runc:runc catatonit:catatonit mmdebstrap:mmdebstrap \
	  docker-registry:docker-registry nginx:nginx
	@engine=$$(localenv/engine) && $$engine info >/dev/null 2>&1 \
	  || { echo "container-engine: '$$engine info' fails: run it to see why" >&2; exit 1; }; \
	echo "container-engine: $$engine"

# The platform the task runs on (Fargate X86_64), whatever the build host's: an arm64 laptop's
# native images would stop there with `exec format error`.
IMAGE_PLATFORM := linux/amd64

# Where Docker answers nothing is installed (no apt on macOS; the runners have Docker): podman,
# and the packages behind it, only where it does not.
images: ## Build sumapi:IMAGE_TAG and sumapi-gateway:IMAGE_TAG for IMAGE_PLATFORM (Docker or podman)
	@[ '$(CONTAINER_ENGINE)' = docker ] || $(MAKE) container-engine
	@start=$$(date +%s); \
	CONTAINER_ENGINE=$(CONTAINER_ENGINE) devtools/build-images '$(IMAGE_TAG)' '$(APP_VERSION)' \
	  '$(IMAGE_PLATFORM)'; \
	echo "images: built in $$(( $$(date +%s) - start ))s"

# ENV=local's ECR is the emulator's API plus this registry: it accepts the emulator's ECR token
# and reports what is pushed to it (localenv/registry.py, localenv/ecr_emulation.py).
registry: container-engine emulator $(VENV_STAMP) ## Start the local registry standing in for ECR (REGISTRY_PORT)
	@$(PY) -m localenv.registry start --port $(REGISTRY_PORT) --emulator $(EMULATOR_URL) >&2

registry-stop: $(VENV_STAMP) ## Stop the local registry; its images are gone
	@$(PY) -m localenv.registry stop --port $(REGISTRY_PORT)

# ECR's own steps on every environment (ops/push-images): log in, skip a tag that exists, push.
push-images: infra-prereqs unit-outputs ## Push both IMAGE_TAG images to ENV's ECR repositories
	@devtools/apt-ensure aws:awscli
	@env $(INFRA_ENV) CONTAINER_ENGINE=$(CONTAINER_ENGINE) ops/push-images '$(IMAGE_TAG)' \
	  $(foreach output,$(IMAGE_REPOSITORY_OUTPUTS),"$$($(call unit_output,$(IMAGE_REPOSITORY_UNIT),$(output)))")

# It stands in for ECS itself, so it reads the services and secrets as the emulator's
# administrator (EMULATOR_ADMIN_ENV, mk/infra.mk), never as the role of the job that deploys.
LOCALECS = env $(INFRA_ENV) $(EMULATOR_ADMIN_ENV) $(PY) -m localenv.ecs --lb-port $(LB_PORT)

# ENV=local's ECS: the agent keeps running every service of the emulator, as ECS does, until
# local-tasks-stop (make down); a deploy only changes what the emulator's services say.
local-tasks: registry $(VENV_STAMP) ## Start the local ECS agent: runs the emulator's services as ECS would (LB_PORT)
	@$(LOCALECS) start >&2

local-tasks-stop: $(VENV_STAMP) ## Stop the local ECS agent, its tasks (stopTimeout honoured) and load balancer
	@if command -v podman >/dev/null; then $(LOCALECS) stop; fi

# The task definition applied to a private emulator, run from images in a private registry.
test-containers: tools container-engine iam-tools $(VENV_STAMP) ## Images + the deployed task as pods: traffic, rollout, failed rollout, crash, SIGTERM
	env TOFU=$(TOFU) TERRAGRUNT=$(TERRAGRUNT) TOFURC=$(TOFURC) \
	  $(VENV)/bin/pytest -q -p no:cacheprovider tests/containers



TEST_TARGETS += test-containers
