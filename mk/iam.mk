# IAM: the policy evaluator that judges every call of the rehearsal, and the policy analyser.
# Both are test-time tools from the registries (AGPL-3.0 and BSD), never deployed: see
# docs/infrastructure.md, "IAM on the emulator".

IAM_SIMULATE_DIR := devtools/iam-simulate
IAM_TOOLS_STAMP := $(IAM_SIMULATE_DIR)/node_modules/.installed

.PHONY: iam-tools

# npm ci installs exactly the committed package-lock.json (@cloud-copilot/iam-simulate and
# the IAM reference data it reads); node and npm come from Debian where they are missing.
$(IAM_TOOLS_STAMP): $(IAM_SIMULATE_DIR)/package.json $(IAM_SIMULATE_DIR)/package-lock.json
	@devtools/apt-ensure node:nodejs npm:npm
	cd $(IAM_SIMULATE_DIR) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# cloudsplaining pins its own boto3 and IAM database: a venv of its own, from pinned versions.
IAM_ANALYSER_VENV := $(TOOLS_DIR)/iam-analyser
IAM_ANALYSER_STAMP := $(IAM_ANALYSER_VENV)/.installed
$(IAM_ANALYSER_STAMP): devtools/iam-analyser/requirements.txt
	@test -x $(IAM_ANALYSER_VENV)/bin/python || $(PYTHON_BOOT) -m venv $(IAM_ANALYSER_VENV)
	$(IAM_ANALYSER_VENV)/bin/pip install -q -r devtools/iam-analyser/requirements.txt
	@touch $@

iam-tools: $(IAM_TOOLS_STAMP) $(IAM_ANALYSER_STAMP) ## Install the IAM policy evaluator (npm) and analyser (cloudsplaining), pinned
