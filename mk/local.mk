# The local stack: the service behind nginx (make run), the AWS emulator that ENV=local deploys
# to, and `make down`, which stops the local deployment.

.PHONY: run emulator down

run: $(VENV_STAMP) ## App on 127.0.0.1:8000 behind nginx on 127.0.0.1:8080 (dev key in .env.local); Ctrl-C stops both
	@PY=$(PY) localenv/run-local

# The emulator names its registry in ECR's repository URIs and its load balancer as the ALB's
# DNS name (localenv/ecr_emulation.py, localenv/ecs_emulation.py).
emulator: $(VENV_STAMP) ## Start the AWS emulator (moto) on EMULATOR_PORT unless it runs
	@REGISTRY_PORT=$(REGISTRY_PORT) LB_PORT=$(LB_PORT) $(PY) -m localenv.emulator start --port $(EMULATOR_PORT) >&2

down: $(VENV_STAMP) ## Stop the local deployment: tasks, load balancer, registry, emulator
	@$(MAKE) local-tasks-stop registry-stop
	@$(PY) -m localenv.emulator stop --port $(EMULATOR_PORT)
