# Terraform module unit tests: `tofu test` with a mocked AWS provider (no emulator, no
# credentials). They pin each module's contract: wiring, defaults, validations, preconditions.
MODULE_TESTS_DIR := $(TOOLS_DIR)/module-tests

.PHONY: test-modules
test-modules: tools ## tofu test of every module under modules/*/tests (mocked provider)
	@env TF_CLI_CONFIG_FILE=$(TOFURC) TF_IN_AUTOMATION=1 TOFU=$(TOFU) \
	  devtools/module-check test $(MODULE_TESTS_DIR) modules/*/

TEST_TARGETS += test-modules
FAST_TARGETS += test-modules
