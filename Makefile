# The one front door for humans and CI. Each concern has its own file under mk/;
# every file adds its checks to TEST_TARGETS so that `make test` runs all of them.
include mk/common.mk

# The service's quick checks first, so `make test` fails fast on a lint or unit error; the
# toolchain next, whose paths and stamps the other files name in their rules.
include mk/python.mk mk/tools.mk
include $(filter-out mk/common.mk mk/python.mk mk/tools.mk,$(sort $(wildcard mk/*.mk)))

.PHONY: help test test-fast
# Grouped by the file that owns them; each file's first comment line names its concern.
help: ## List the targets, by concern
	@for file in $(MAKEFILE_LIST); do \
	  [ "$$file" = versions.env ] && continue; \
	  grep -qE '^[a-zA-Z_-]+:.*## ' $$file || continue; \
	  printf '\n%s:\n' "$$(head -1 $$file | sed -e 's/^# //' -e 's/[:.].*//')"; \
	  grep -hE '^[a-zA-Z_-]+:.*## ' $$file | awk -F':.*## ' '{printf "  %-20s %s\n", $$1, $$2}'; \
	done

test: $(TEST_TARGETS) ## Everything CI checks (the truth)
	@echo "make test: all checks passed ($(TEST_TARGETS))"

test-fast: $(FAST_TARGETS) ## Quick subset: lint, types, unit and process tests, alert rules, Markdown checks, module docs, tflint, IaC static checks, module tests, shell lint
	@echo "make test-fast: passed ($(FAST_TARGETS))"
