# IaC checks: fmt, validate and the static IaC tests (no emulator); the full cycle on a private
# emulator.

# Scratch copies of the modules for tofu validate (VALIDATE_DIR= keeps parallel runs apart).
VALIDATE_DIR ?= $(TOOLS_DIR)/validate

.PHONY: test-iac-static test-infra
test-iac-static: tools iam-tools $(VENV_STAMP) ## tofu fmt/validate per module, terragrunt hcl fmt, mypy of the tools, the static IaC tests (no emulator)
	env $(INFRA_ENV) $(TOFU) fmt -check -recursive -diff modules
	$(TERRAGRUNT) hcl fmt --check --diff --working-dir $(ROOT) --log-level warn
	@env $(INFRA_ENV) TOFU=$(TOFU) devtools/module-check validate $(VALIDATE_DIR) modules/*/
	$(VENV)/bin/mypy --strict ops localenv devtools
	env TOFU=$(TOFU) TERRAGRUNT=$(TERRAGRUNT) TOFURC=$(TOFURC) \
	  $(VENV)/bin/pytest -q -p no:cacheprovider tests/iac_static

test-infra: tools $(VENV_STAMP) ## Full cycle on a private emulator: apply, assert, re-plan, destroy
	env TOFU=$(TOFU) TERRAGRUNT=$(TERRAGRUNT) TOFURC=$(TOFURC) \
	  $(VENV)/bin/pytest -q -p no:cacheprovider tests/iac_emulator

TEST_TARGETS += test-iac-static test-infra
FAST_TARGETS += test-iac-static
