# Delivery: the GitHub Actions workflows are linted, the Prometheus rules are unit-tested,
# and `make demo` records the reviewer's transcript (docs/demo.md).
PROMETHEUS_RULES := $(wildcard monitoring/rules/*.rules.yml)
PROMETHEUS_RULE_TESTS := $(wildcard monitoring/tests/*.test.yml)

.PHONY: lint-actions test-rules demo

# actionlint is built by mk/infra.mk's tool chain (only its own stamp, not all of `make
# tools`). The stamp is made from the recipe because mk/infra.mk is read after this file.
# actionlint runs shellcheck on every `run:` block when shellcheck is on PATH. GitHub's
# runners have it, so it is installed here too: otherwise CI and laptops would disagree.
lint-actions: ## actionlint (+ shellcheck of run: blocks) on .github/workflows
	@scripts/apt-ensure shellcheck:shellcheck
	@$(MAKE) $(ACTIONLINT_STAMP)
	$(ACTIONLINT) -pyflakes=

test-rules: $(VENV_STAMP) ## promtool check + unit tests of the alerting rules; rules match /metrics
	@scripts/apt-ensure promtool:prometheus
	promtool check config monitoring/prometheus.yml
	promtool check rules $(PROMETHEUS_RULES)
	promtool test rules $(PROMETHEUS_RULE_TESTS)
	$(VENV)/bin/pytest -q tests/monitoring

# Not part of `make test`: it builds the tool chain, starts nginx, the app and the
# emulator, deploys every unit and takes minutes. It stops everything it started.
demo: $(VENV_STAMP) ## Run the local stack and the emulator deployment; write docs/demo.md
	scripts/demo docs/demo.md

TEST_TARGETS += lint-actions test-rules
FAST_TARGETS += test-rules
