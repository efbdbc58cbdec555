# API keys: the key tool (ops/keytool.py) on ENV's secret; each change redeploys the service.

CLIENT ?=
KEYTOOL := env $(INFRA_ENV) $(PY) -m ops.keytool --live-dir $(LIVE_DIR) --terragrunt $(TERRAGRUNT)

.PHONY: seed-key rotate-key retire-key list-keys
seed-key: $(INFRA_PREREQS) $(VENV_STAMP) ## Create the first API key if the secret has none (operator)
	$(KEYTOOL) seed

rotate-key: $(INFRA_PREREQS) $(VENV_STAMP) ## Add a key for CLIENT=name, redeploy; prints it once
	@test -n "$(CLIENT)" || { echo "usage: make rotate-key CLIENT=name [ENV=dev]" >&2; exit 2; }
	$(KEYTOOL) add $(CLIENT)

retire-key: $(INFRA_PREREQS) $(VENV_STAMP) ## Retire CLIENT's older keys (keeps the newest), redeploy
	@test -n "$(CLIENT)" || { echo "usage: make retire-key CLIENT=name [ALL=1 | KEY=sha256:...]" >&2; exit 2; }
	$(KEYTOOL) retire $(CLIENT) $(if $(ALL),--all) $(if $(KEY),--key $(KEY))

list-keys: $(INFRA_PREREQS) $(VENV_STAMP) ## Client names with masked keys
	$(KEYTOOL) list
