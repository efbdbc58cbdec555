# checkov: static security checks of the Terraform modules. It lives in its own venv
# because it pins an old boto3 that would clash with the project's moto/boto3.
CHECKOV_PYTHON ?= python3
CHECKOV_VENV := $(TOOLS_DIR)/checkov-venv
CHECKOV := $(CHECKOV_VENV)/bin/checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed-$(CHECKOV_VERSION)

$(CHECKOV_STAMP):
	@rm -rf $(CHECKOV_VENV)
	@$(CHECKOV_PYTHON) -m venv $(CHECKOV_VENV)
	@$(CHECKOV_VENV)/bin/python -m pip install -q --upgrade pip
	@$(CHECKOV_VENV)/bin/python -m pip install -q "checkov==$(CHECKOV_VERSION)"
	@touch $@

.PHONY: checkov-install test-checkov
checkov-install: $(CHECKOV_STAMP) ## Install the pinned checkov (versions.env) into .tools/checkov-venv

# Zero failed checks; every exception is a `#checkov:skip=ID:reason` next to the resource.
# --skip-download: no Bridgecrew/Prisma API calls (offline, deterministic).
test-checkov: $(CHECKOV_STAMP) ## checkov over modules/ (terraform framework): no failed check allowed
	@start=$$(date +%s); \
	$(CHECKOV) --directory modules --framework terraform --skip-download --compact --quiet; \
	echo "checkov $(CHECKOV_VERSION): modules/ clean in $$(( $$(date +%s) - start ))s"

TEST_TARGETS += test-checkov
