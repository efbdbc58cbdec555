# Module documentation and lint: the inputs/outputs section of each module README
# (terraform-docs), tflint with the AWS ruleset, and a resource graph per unit (docs/graphs/).
# The tools are built from the Go module proxy like tofu (devtools/go-module-build), with
# the version in the stamp's name. See docs/infrastructure.md.
#
# This file is read before mk/infra.mk: paths used in rule heads derive from TOOLS_DIR here.

DOCS_TOOLS_BIN := $(TOOLS_DIR)/bin
DOCS_STAMPS := $(TOOLS_DIR)/stamps
TERRAFORM_DOCS := $(DOCS_TOOLS_BIN)/terraform-docs
TFLINT := $(DOCS_TOOLS_BIN)/tflint
# Plugins are found here (TFLINT_PLUGIN_DIR), never downloaded: `tflint --init` is not used.
TFLINT_PLUGIN_DIR := $(TOOLS_DIR)/tflint-plugins
TERRAFORM_DOCS_STAMP := $(DOCS_STAMPS)/terraform-docs-$(TERRAFORM_DOCS_VERSION)
TFLINT_STAMP := $(DOCS_STAMPS)/tflint-$(TFLINT_VERSION)
TFLINT_AWS_STAMP := $(DOCS_STAMPS)/tflint-ruleset-aws-$(TFLINT_RULESET_AWS_VERSION)
DOCS_TOOLS := $(TERRAFORM_DOCS_STAMP) $(TFLINT_STAMP) $(TFLINT_AWS_STAMP)

# Inputs and outputs only (the prose above the markers is written by hand), required first,
# plain Markdown. The same arguments write (make docs) and check (make test-docs).
TFDOCS_ARGS := markdown table --show inputs,outputs --sort-by required --indent 3 \
  --anchor=false --html=false --lockfile=false --output-mode inject --output-file README.md \
  --output-template $$'<!-- BEGIN_TF_DOCS -->\n\#\# Inputs and outputs (generated)\n\nWritten by `make docs` (terraform-docs $(TERRAFORM_DOCS_VERSION)) from the module code; `make test-docs` fails when it is out of date. Do not edit between the markers.\n\n{{ .Content }}\n<!-- END_TF_DOCS -->'

GRAPHS_DIR := docs/graphs
GRAPHS_WORK := $(TOOLS_DIR)/graphs

.PHONY: docs-tools docs test-docs lint-tf test-tfvars-examples graphs test-graphs

docs-tools: $(DOCS_TOOLS) ## Build pinned terraform-docs, tflint and the tflint AWS ruleset

$(TERRAFORM_DOCS_STAMP):
	devtools/go-module-build github.com/terraform-docs/terraform-docs v$(TERRAFORM_DOCS_VERSION) . \
	  $(TERRAFORM_DOCS)
	@mkdir -p $(@D) && rm -f $(DOCS_STAMPS)/terraform-docs-* && touch $@

$(TFLINT_STAMP):
	devtools/go-module-build github.com/terraform-linters/tflint v$(TFLINT_VERSION) . $(TFLINT)
	@mkdir -p $(@D) && rm -f $(DOCS_STAMPS)/tflint-[0-9]* && touch $@

# A manually installed plugin: tflint runs <plugin dir>/tflint-ruleset-aws when .tflint.hcl
# enables "aws" without source/version, with no signature check and no network.
$(TFLINT_AWS_STAMP):
	devtools/go-module-build github.com/terraform-linters/tflint-ruleset-aws \
	  v$(TFLINT_RULESET_AWS_VERSION) . $(TFLINT_PLUGIN_DIR)/tflint-ruleset-aws
	@mkdir -p $(@D) && rm -f $(DOCS_STAMPS)/tflint-ruleset-aws-* && touch $@

docs: $(TERRAFORM_DOCS_STAMP) ## Module READMEs: regenerate the inputs/outputs section (terraform-docs)
	@set -e; for module in modules/*/; do \
	  grep -q '^<!-- BEGIN_TF_DOCS -->$$' $$module/README.md || \
	    printf '\n<!-- BEGIN_TF_DOCS -->\n<!-- END_TF_DOCS -->\n' >> $$module/README.md; \
	  $(TERRAFORM_DOCS) $(TFDOCS_ARGS) $$module >/dev/null; \
	  echo "docs: $${module}README.md"; \
	done

test-docs: $(TERRAFORM_DOCS_STAMP) ## Each module README's inputs/outputs section matches the code
	@set -e; stale=; for module in modules/*/; do \
	  grep -q '^<!-- BEGIN_TF_DOCS -->$$' $$module/README.md \
	    && $(TERRAFORM_DOCS) $(TFDOCS_ARGS) --output-check $$module >/dev/null 2>&1 \
	    || stale="$$stale $${module}README.md"; \
	done; \
	if [ -n "$$stale" ]; then echo "test-docs: inputs/outputs out of date in$$stale: run make docs" >&2; exit 1; fi; \
	echo "test-docs: the module READMEs match their variables and outputs"

# The example inputs are linted too, so the AWS rules see sample values, not unknowns.
lint-tf: $(TFLINT_STAMP) $(TFLINT_AWS_STAMP) ## tflint (terraform + AWS rulesets, .tflint.hcl) over every module
	env TFLINT_PLUGIN_DIR=$(TFLINT_PLUGIN_DIR) $(TFLINT) --recursive --chdir modules \
	  --config $(ROOT)/.tflint.hcl --var-file terraform.tfvars.example --format compact
	@echo "lint-tf: tflint $(TFLINT_VERSION), aws ruleset $(TFLINT_RULESET_AWS_VERSION): no issue"

# Each module's terraform.tfvars.example is a valid input: `tofu console` evaluates the
# variables with it (types and validation blocks) in a copy of the module; it exits 0 on an
# invalid value, hence the check of what it prints. Which variables the file names is
# tests/iac_static/test_tfvars_examples.py.
test-tfvars-examples: tools ## Each module's terraform.tfvars.example passes its types and validations
	@set -e; for module in modules/*/; do \
	  module=$${module%/}; work=$(TOOLS_DIR)/tfvars-examples/$$(basename $$module); \
	  rm -rf $$work && mkdir -p $$work && cp $$module/*.tf $$work/; \
	  env TF_CLI_CONFIG_FILE=$(TOFURC) TF_IN_AUTOMATION=1 $(TOFU) -chdir=$$work init -backend=false \
	    -input=false -no-color >$$work/init.log 2>&1 || { cat $$work/init.log >&2; exit 1; }; \
	  echo 1 | env TF_CLI_CONFIG_FILE=$(TOFURC) TF_IN_AUTOMATION=1 $(TOFU) -chdir=$$work console \
	    -no-color -var-file=$(ROOT)/$$module/terraform.tfvars.example >$$work/console.log 2>&1 || true; \
	  if grep -q '^Error: ' $$work/console.log; then cat $$work/console.log >&2; \
	    echo "test-tfvars-examples: $$module/terraform.tfvars.example has an invalid value (above)" >&2; exit 1; fi; \
	done; echo "test-tfvars-examples: every example passes its module's types and validations"

# The resource graph of each unit's module: `tofu graph` in a copy of the module (init against
# the offline provider mirror, no backend), reduced to resources and data sources and what
# each depends on (devtools/resource_graph.py). The unit DAG is `make graph`. Units are
# live/_envcommon/<unit>.hcl, the module their `source = ".../modules//<module>"`.
define unit_graph_dots
set -e; mkdir -p $(1); for definition in live/_envcommon/*.hcl; do \
  unit=$$(basename $$definition .hcl); \
  module=$$(sed -n 's#^ *source *= *".*/modules//\([A-Za-z0-9_-]*\)".*#\1#p' $$definition); \
  [ -n "$$module" ] || { echo "graphs: no modules//<module> source in $$definition" >&2; exit 1; }; \
  work=$(GRAPHS_WORK)/$$unit; rm -rf $$work && mkdir -p $$work && cp modules/$$module/*.tf $$work/; \
  env TF_CLI_CONFIG_FILE=$(TOFURC) TF_IN_AUTOMATION=1 $(TOFU) -chdir=$$work init -backend=false \
    -input=false -no-color >$$work/init.log 2>&1 || { cat $$work/init.log >&2; exit 1; }; \
  env TF_CLI_CONFIG_FILE=$(TOFURC) TF_IN_AUTOMATION=1 $(TOFU) -chdir=$$work graph \
    | python3 devtools/resource_graph.py \
      --label "unit $$unit (modules/$$module): A -> B = A depends on B; dashed = data source" \
    > $(1)/$$unit.dot; \
done
endef

graphs: tools ## Resource graph per unit: docs/graphs/<unit>.dot and .svg (tofu graph, graphviz)
	@devtools/apt-ensure dot:graphviz
	@$(call unit_graph_dots,$(GRAPHS_DIR))
	@set -e; for dotfile in $(GRAPHS_DIR)/*.dot; do \
	  dot -Tsvg $$dotfile -o $${dotfile%.dot}.svg; echo "graphs: $${dotfile%.dot}.svg"; done

test-graphs: tools ## docs/graphs/<unit>.dot match what `tofu graph` draws from the modules now
	@rm -rf $(GRAPHS_WORK)/check
	@$(call unit_graph_dots,$(GRAPHS_WORK)/check)
	@diff -r -q $(GRAPHS_DIR) $(GRAPHS_WORK)/check --exclude='*.svg' >/dev/null \
	  || { echo "test-graphs: docs/graphs/ is out of date: run make graphs" >&2; exit 1; }
	@echo "test-graphs: docs/graphs/ matches the modules"

TEST_TARGETS += test-docs lint-tf test-tfvars-examples test-graphs
FAST_TARGETS += test-docs lint-tf
