# Gateway (nginx), the local stack (make run), the Dockerfile lint, and the benchmark.

.PHONY: run bench test-gateway lint-docker

run: $(VENV_STAMP) ## App on 127.0.0.1:8000 behind nginx on 127.0.0.1:8080 (dev key in .env.local); Ctrl-C stops both
	@PY=$(PY) localenv/run-local

bench: $(VENV_STAMP) ## wrk on loopback: service vs bare aiohttp, nginx ceiling, app direct vs through the gateway, the gateway in front of the service vs of Go (builds bench/gosum)
	@devtools/apt-ensure nginx:nginx wrk:wrk curl:curl
	@PY=$(PY) bench/run

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
