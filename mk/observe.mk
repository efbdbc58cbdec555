# Observability a person can see: the local stack watched by a real Prometheus, a dashboard,
# alerts that fire, and the README's screenshots (localenv/observe.py, docs/slo.md).
OBSERVE_TOOLS := prometheus:prometheus promtool:prometheus nginx:nginx curl:curl

.PHONY: observe chaos test-alerts screenshots

observe: $(VENV_STAMP) ## App + gateway + Prometheus + dashboard under a little traffic; Ctrl-C stops
	@devtools/apt-ensure $(OBSERVE_TOOLS)
	@$(PY) -m localenv.observe run

chaos: $(VENV_STAMP) ## (with make observe running) fail the app until the burn-rate alert fires, then recover
	@$(PY) -m localenv.observe chaos

# The production rules with every window divided by 60: fires in seconds, not minutes.
test-alerts: $(VENV_STAMP) ## The availability burn-rate alert fires and resolves against the real stack
	@devtools/apt-ensure $(OBSERVE_TOOLS)
	$(VENV)/bin/pytest -q -p no:cacheprovider tests/prometheus

screenshots: $(VENV_STAMP) ## Regenerate docs/img/*.png with headless Chromium (dashboard, firing alert, API docs)
	@devtools/apt-ensure $(OBSERVE_TOOLS) chromium:chromium
	$(PY) -m devtools.screenshots docs/img

TEST_TARGETS += test-alerts
