# Benchmarks: figures printed by `make bench` (wrk on loopback) and `make footprint` (start-up
# time and memory), never asserted by tests.

.PHONY: bench footprint

bench: $(VENV_STAMP) ## wrk on loopback: service vs bare aiohttp, nginx ceiling, app direct vs through the gateway, the gateway in front of the service vs of Go (builds bench/gosum)
	@devtools/apt-ensure nginx:nginx wrk:wrk curl:curl
	@PY=$(PY) bench/run

footprint: $(VENV_STAMP) ## Startup-to-ready time, idle and loaded RSS of the service
	$(PY) -m bench.footprint
