# Benchmarks: figures printed by `make bench` (wrk on loopback), `make footprint` (start-up
# time and memory) and `make capacity` (requests/s per task size), never asserted by tests.

.PHONY: bench footprint capacity

bench: $(VENV_STAMP) ## wrk on loopback: service vs bare aiohttp, nginx ceiling, app direct vs through the gateway, the gateway in front of the service vs of Go (builds bench/gosum)
	@devtools/apt-ensure nginx:nginx wrk:wrk curl:curl
	@PY=$(PY) bench/run

footprint: $(VENV_STAMP) ## Startup-to-ready time, idle and loaded RSS of the service
	$(PY) -m bench.footprint

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
