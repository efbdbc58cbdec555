# Containers: the engine, the two images, the registry standing in for ECR, and the local ECS
# runner that makes ENV=local a full deployment (localenv/, docs/infrastructure.md).

# Docker when a daemon answers, else this project's podman (localenv/engine says which, once).
CONTAINER_ENGINE = $(eval CONTAINER_ENGINE := $(shell localenv/engine 2>/dev/null))$(CONTAINER_ENGINE)
REGISTRY_PORT ?= 5050
LB_PORT ?= 8088
# The registry unit's outputs: where each image is pushed (ECR; on ENV=local the local registry).
IMAGE_REPOSITORY_OUTPUTS := app_repository_url gateway_repository_url
IMAGE_REPOSITORY_UNIT := registry
# An environment whose env.hcl sets promote_images_from (prod) runs another environment's
# images (dev's): it builds and pushes none, it copies them by digest (make promote-images).
PROMOTES_IMAGES := $(if $(shell sed -n -E '/^[[:space:]]*promote_images_from[[:space:]]*=[[:space:]]*\{/p' live/$(ENV)/env.hcl 2>/dev/null),true,false)

.PHONY: container-engine images registry registry-stop push-images image-source promote-images \
  local-tasks local-tasks-stop \
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
# ECR tags are immutable: an image built here and pushed to an environment that promotes would
# stay under that tag for good, so push-images refuses one.
push-images: infra-prereqs unit-outputs ## Push both IMAGE_TAG images to ENV's ECR repositories
ifeq ($(PROMOTES_IMAGES),true)
	@echo "push-images: ENV=$(ENV) runs the images of promote_images_from (live/$(ENV)/env.hcl), never one built here: make promote-images ENV=$(ENV) IMAGE_TAG=<a SHA that environment ran>" >&2; exit 1
endif
	@devtools/apt-ensure aws:awscli
	@env $(INFRA_ENV) CONTAINER_ENGINE=$(CONTAINER_ENGINE) ops/push-images '$(IMAGE_TAG)' \
	  $(foreach output,$(IMAGE_REPOSITORY_OUTPUTS),"$$($(call unit_output,$(IMAGE_REPOSITORY_UNIT),$(output)))")

# The deploy workflow's plan job says which it is; the images job then builds and pushes, or
# promotes.
image-source: ## Print promotes=true|false (GitHub step output): ENV runs another environment's images (env.hcl's promote_images_from)
	@echo "promotes=$(PROMOTES_IMAGES)"

# The very image that environment ran, byte for byte (ops/promote_images.py: the source's digest
# for IMAGE_TAG, copied with skopeo, the copy's digest checked); nothing is built. The emulator's
# registry serves plain HTTP (--plain-http on ENV=local).
promote-images: infra-prereqs unit-outputs ## Copy both IMAGE_TAG images by digest from promote_images_from's repositories into ENV's
ifneq ($(PROMOTES_IMAGES),true)
	@echo "promote-images: live/$(ENV)/env.hcl sets no promote_images_from: ENV=$(ENV) builds its own images (make images push-images)" >&2; exit 1
endif
	@devtools/apt-ensure skopeo:skopeo
	@env $(INFRA_ENV) $(PY) -m ops.promote_images '$(IMAGE_TAG)' \
	  "$$($(call unit_output,$(IMAGE_REPOSITORY_UNIT),promotion_sources))" \
	  "$$($(call unit_output,$(IMAGE_REPOSITORY_UNIT),repository_urls))" \
	  $(if $(filter local,$(ENV)),--plain-http)

# It stands in for ECS itself, so it reads the services and secrets as the emulator's
# administrator (EMULATOR_ADMIN_ENV, mk/deploy.mk), never as the role of the job that deploys.
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
