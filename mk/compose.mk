# Compose: compose.yaml run as a Docker user runs it, by a real Docker Compose (v5, built from
# the Go module proxy like tofu) against this machine's engine: Docker where a daemon answers,
# else podman's Docker API on a private socket (localenv/docker_api.py).
#
# This file is read before mk/infra.mk: paths used in rule heads derive from TOOLS_DIR here.
DOCKER_COMPOSE := $(TOOLS_DIR)/bin/docker-compose
DOCKER_COMPOSE_STAMP := $(TOOLS_DIR)/stamps/docker-compose-$(DOCKER_COMPOSE_VERSION)

.PHONY: compose-tool test-compose

compose-tool: $(DOCKER_COMPOSE_STAMP) ## Build the pinned Docker Compose (versions.env) into .tools/bin

$(DOCKER_COMPOSE_STAMP):
	devtools/go-module-build github.com/docker/compose/v5 v$(DOCKER_COMPOSE_VERSION) ./cmd \
	  $(DOCKER_COMPOSE) "-X github.com/docker/compose/v5/internal.Version=v$(DOCKER_COMPOSE_VERSION)"
	@mkdir -p $(@D) && rm -f $(@D)/docker-compose-* && touch $@

# The images build from the unchanged Dockerfiles, in the project's container store; every
# container, network and volume of the test's project is gone at the end. Where Docker answers,
# podman is not installed (as for make images).
test-compose: $(DOCKER_COMPOSE_STAMP) $(VENV_STAMP) ## docker compose up --build of compose.yaml: dev key, smoke test through the gateway, clean stop
	@[ '$(CONTAINER_ENGINE)' = docker ] || $(MAKE) container-engine
	DOCKER_COMPOSE=$(DOCKER_COMPOSE) $(VENV)/bin/pytest -q -p no:cacheprovider tests/compose

TEST_TARGETS += test-compose
