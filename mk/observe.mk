# Observability a person can see: the local stack watched by a real Prometheus, a dashboard,
# alerts that fire (localenv/observe.py, docs/slo.md); its pictures are mk/pictures.mk's.
OBSERVE_TOOLS := prometheus:prometheus promtool:prometheus nginx:nginx curl:curl

.PHONY: observe chaos test-alerts

observe: $(VENV_STAMP) ## App + gateway + Prometheus + dashboard under a little traffic; Ctrl-C stops
	@devtools/apt-ensure $(OBSERVE_TOOLS)
	@$(PY) -m localenv.observe run

chaos: $(VENV_STAMP) ## (with make observe running) fail the app until the burn-rate alert fires, then recover
	@$(PY) -m localenv.observe chaos

# The production rules with every window divided by 60: fires in seconds, not minutes.
test-alerts: $(VENV_STAMP) ## The availability burn-rate alert fires and resolves against the real stack
	@devtools/apt-ensure $(OBSERVE_TOOLS)
	$(VENV)/bin/pytest -q -p no:cacheprovider tests/prometheus

TEST_TARGETS += test-alerts
