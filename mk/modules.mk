# Terraform module unit tests: `tofu test` with a mocked AWS provider (no emulator, no
# credentials). They pin each module's contract: wiring, defaults, validations, preconditions.
MODULE_TESTS_DIR := $(TOOLS_DIR)/module-tests

.PHONY: test-modules
test-modules: tools ## tofu test of every module under modules/*/tests (mocked provider)
	@# Each module is tested in a copy: no .terraform/ or lock file lands in modules/.
	@set -e; for module in modules/*/; do \
	  module=$${module%/}; [ -d $$module/tests ] || continue; \
	  work=$(MODULE_TESTS_DIR)/$$(basename $$module); \
	  rm -rf $$work && mkdir -p $$work && cp $$module/*.tf $$work/ && cp -r $$module/tests $$work/; \
	  echo "tofu test $$module"; \
	  env TF_CLI_CONFIG_FILE=$(TOFURC) TF_IN_AUTOMATION=1 $(TOFU) -chdir=$$work init -backend=false -input=false -no-color \
	    >$$work/init.log 2>&1 || { cat $$work/init.log >&2; exit 1; }; \
	  env TF_CLI_CONFIG_FILE=$(TOFURC) TF_IN_AUTOMATION=1 $(TOFU) -chdir=$$work test -no-color; \
	done

TEST_TARGETS += test-modules
FAST_TARGETS += test-modules
