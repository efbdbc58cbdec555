# Pictures for the README: docs/img (headless Chromium) and docs/demo.cast (asciinema),
# regenerated from real runs, never drawn by hand. None is part of `make test`: each takes
# minutes (the stack under chaos, a deployment to a private emulator).
# Every one runs next to a developer's own stack and deployment, on free ports.

.PHONY: pictures screenshots picture-deployment recording

# The renderer of the recording: svg-term-cli and its dependencies, exactly as its lock file
# says (npm ci), into .tools; never committed.
SVG_TERM_DIR := $(TOOLS_DIR)/svg-term
SVG_TERM := $(SVG_TERM_DIR)/node_modules/.bin/svg-term
SVG_TERM_STAMP := $(SVG_TERM_DIR)/.stamp
RECORDING := docs/demo.cast
# Playback: a pause longer than this (a deploy waiting for tofu) is cut to it.
RECORDING_IDLE_LIMIT := 3

pictures: screenshots picture-deployment recording ## Every picture of the README (about 15 minutes)

screenshots: $(VENV_STAMP) ## docs/img: the dashboard after a failure, the alert firing, the API docs (Chromium)
	@devtools/apt-ensure $(OBSERVE_TOOLS) chromium:chromium
	$(PY) -m devtools.screenshots docs/img

picture-deployment: tools container-engine $(VENV_STAMP) ## docs/img/deployment.png: make deploy ENV=local, smoke, a rollout under traffic
	@devtools/apt-ensure jq:jq curl:curl chromium:chromium
	$(PY) -m devtools.deployment_picture docs/img/deployment.png

$(SVG_TERM_STAMP): devtools/svg-term/package.json devtools/svg-term/package-lock.json
	@devtools/apt-ensure node:nodejs npm:npm
	@rm -rf $(SVG_TERM_DIR) && mkdir -p $(SVG_TERM_DIR)
	cp $^ $(SVG_TERM_DIR)/
	cd $(SVG_TERM_DIR) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

recording: tools container-engine $(VENV_STAMP) $(SVG_TERM_STAMP) ## docs/demo.cast (asciinema) of devtools/tour, rendered to docs/img/demo.svg
	@devtools/apt-ensure asciinema:asciinema jq:jq curl:curl chromium:chromium
	asciinema rec --overwrite --quiet --cols 110 --rows 32 --idle-time-limit $(RECORDING_IDLE_LIMIT) \
	  --title 'sumapi: make run, make first-deploy ENV=local, make smoke, a rollout, make down' \
	  --command devtools/tour $(RECORDING)
	$(PY) -m devtools.recording $(RECORDING) docs/img/demo.svg --svg-term $(SVG_TERM)
