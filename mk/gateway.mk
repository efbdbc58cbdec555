# Gateway (nginx), the local stack (make run), the Dockerfile lint, the benchmark and the
# capacity per task.

.PHONY: run bench capacity test-gateway lint-docker

run: $(VENV_STAMP) ## App on 127.0.0.1:8000 behind nginx on 127.0.0.1:8080 (dev key in .env.local); Ctrl-C stops both
	@PY=$(PY) localenv/run-local

bench: $(VENV_STAMP) ## wrk on loopback: service vs bare aiohttp, nginx ceiling, app direct vs through the gateway, the gateway in front of the service vs of Go (builds bench/gosum)
	@devtools/apt-ensure nginx:nginx wrk:wrk curl:curl
	@PY=$(PY) bench/run

# The open-loop generator of make capacity, built from the Go module proxy (versions.env).
VEGETA := $(TOOLS_DIR)/bin/vegeta
VEGETA_STAMP := $(TOOLS_DIR)/stamps/vegeta-$(VEGETA_VERSION)
$(VEGETA_STAMP):
	devtools/go-module-build github.com/tsenart/vegeta/v12 v$(VEGETA_VERSION) . $(VEGETA)
	@mkdir -p $(@D) && rm -f $(TOOLS_DIR)/stamps/vegeta-* && touch $@

# Minutes of load, so not in make test. The pods are podman's: the images are built with it.
# CAPACITY_ARGS: e.g. --sizes "256/512 2048/4096" --step-seconds 20.
CAPACITY_ARGS ?=
capacity: tools $(VENV_STAMP) $(VEGETA_STAMP) ## Requests/s one task serves within the latency SLO, per task size, with its Fargate limits (docs/capacity.md)
	@$(MAKE) images CONTAINER_ENGINE=$(ROOT)/localenv/podman
	@env $(INFRA_ENV) $(PY) -m devtools.capacity --terragrunt $(TERRAGRUNT) --tofu $(TOFU) \
	  --vegeta $(VEGETA) --image-tag $(IMAGE_TAG) $(CAPACITY_ARGS)

# busybox: the renderer is also tested with the shell of the (alpine) gateway image; setpriv:
# the gateway is run as nobody. A test without its tool fails, so they are installed here.
test-gateway: $(VENV_STAMP) ## Real nginx + real app on loopback: every gateway policy, renderer, rolling restart
	@devtools/apt-ensure nginx:nginx busybox:busybox setpriv:util-linux
	$(VENV)/bin/pytest -q tests/gateway

# Style and schema in seconds, with no engine: hadolint, and docker-compose (v1, Debian) to
# validate the compose file without a daemon. The images are built and run by test-containers
# (as the deployed task) and test-compose (compose.yaml itself, by Docker Compose v5).
lint-docker: $(VENV_STAMP) ## hadolint both Dockerfiles; docker-compose config on compose.yaml
	$(VENV)/bin/hadolint Dockerfile nginx/Dockerfile
	@devtools/apt-ensure docker-compose:docker-compose
	docker-compose -f compose.yaml config -q
	@echo "lint-docker: Dockerfile, nginx/Dockerfile, compose.yaml ok"

TEST_TARGETS += test-gateway lint-docker
