# Gateway (nginx) and the Dockerfile lint.

.PHONY: test-gateway lint-docker

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
