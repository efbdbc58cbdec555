# Documentation and module lint: the Markdown agrees with the repository and with itself
# (lint-docs), the inputs/outputs section of each module README (terraform-docs), tflint with
# the AWS ruleset, and a resource graph per unit (docs/graphs/).
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

# The inputs/outputs section of each module README: devtools/module-docs writes (make docs) and
# checks (make test-docs) it with the same terraform-docs arguments.
MODULE_DOCS := TERRAFORM_DOCS=$(TERRAFORM_DOCS) devtools/module-docs

GRAPHS_DIR := docs/graphs
GRAPHS_WORK := $(TOOLS_DIR)/graphs

.PHONY: docs-tools docs test-docs lint-docs lint-tf test-tfvars-examples graphs test-graphs

# Links, paths and `make X` in every tracked Markdown file exist; the pager, the body limit and
# the provider range are stated as their homes in the code say (tests/docs).
lint-docs: $(VENV_STAMP) ## Markdown: links, paths and make targets exist; shared facts agree with the code
	$(VENV)/bin/pytest -q -p no:cacheprovider tests/docs

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
	@$(MODULE_DOCS) write modules/*/

test-docs: $(TERRAFORM_DOCS_STAMP) ## Each module README's inputs/outputs section matches the code
	@$(MODULE_DOCS) check modules/*/

# The example inputs are linted too, so the AWS rules see sample values, not unknowns.
lint-tf: $(TFLINT_STAMP) $(TFLINT_AWS_STAMP) ## tflint (terraform + AWS rulesets, .tflint.hcl) over every module
	env TFLINT_PLUGIN_DIR=$(TFLINT_PLUGIN_DIR) $(TFLINT) --recursive --chdir modules \
	  --config $(ROOT)/.tflint.hcl --var-file terraform.tfvars.example --format compact
	@echo "lint-tf: tflint $(TFLINT_VERSION), aws ruleset $(TFLINT_RULESET_AWS_VERSION): no issue"

# Each module's terraform.tfvars.example is a valid input: `tofu console` evaluates the
# variables with it (types and validation blocks) in a copy of the module (devtools/module-check).
# Which variables the file names is tests/iac_static/test_tfvars_examples.py.
test-tfvars-examples: tools ## Each module's terraform.tfvars.example passes its types and validations
	@env TF_CLI_CONFIG_FILE=$(TOFURC) TF_IN_AUTOMATION=1 TOFU=$(TOFU) \
	  devtools/module-check tfvars-example $(TOOLS_DIR)/tfvars-examples modules/*/
	@echo "test-tfvars-examples: every example passes its module's types and validations"

# The resource graph of each unit's module (devtools/unit-graphs: tofu graph of a copy of the
# module, against the offline provider mirror). The unit DAG is `make graph`.
UNIT_GRAPHS = env TF_CLI_CONFIG_FILE=$(TOFURC) TF_IN_AUTOMATION=1 TOFU=$(TOFU) devtools/unit-graphs

# $(call svgs,DIR): DIR/<name>.svg drawn from each DIR/<name>.dot.
svgs = set -e; for dotfile in $(1)/*.dot; do dot -Tsvg $$dotfile -o $${dotfile%.dot}.svg; done

graphs: tools ## Resource graph per unit: docs/graphs/<unit>.dot and .svg (tofu graph, graphviz)
	@devtools/apt-ensure dot:graphviz
	@$(UNIT_GRAPHS) $(GRAPHS_DIR) $(GRAPHS_WORK)
	@$(call svgs,$(GRAPHS_DIR))
	@echo "graphs: $(GRAPHS_DIR)/*.svg"

# Every generated picture is drawn again, .dot and .svg, and compared byte for byte: the unit
# DAG of live/local (make graph) and each unit's resource graph (make graphs).
test-graphs: tools ## docs/graph.* and docs/graphs/* are what make graph and make graphs draw now
	@devtools/apt-ensure dot:graphviz
	@rm -rf $(GRAPHS_WORK)/check && mkdir -p $(GRAPHS_WORK)/check/dag
	@$(UNIT_GRAPHS) $(GRAPHS_WORK)/check/graphs $(GRAPHS_WORK)
	@$(call unit_dag,local) > $(GRAPHS_WORK)/check/dag/graph.dot
	@$(call svgs,$(GRAPHS_WORK)/check/graphs)
	@$(call svgs,$(GRAPHS_WORK)/check/dag)
	@stale=$$( { diff -r -q $(GRAPHS_DIR) $(GRAPHS_WORK)/check/graphs; \
	  for f in graph.dot graph.svg; do cmp -s docs/$$f $(GRAPHS_WORK)/check/dag/$$f || echo docs/$$f; done; } 2>&1 ); \
	  if [ -n "$$stale" ]; then printf '%s\n' "$$stale" >&2; \
	    echo "test-graphs: out of date (above): run make graph graphs" >&2; exit 1; fi
	@echo "test-graphs: docs/graph.dot, docs/graph.svg and docs/graphs/ match a fresh drawing"

TEST_TARGETS += lint-docs test-docs lint-tf test-tfvars-examples test-graphs
FAST_TARGETS += lint-docs test-docs lint-tf
