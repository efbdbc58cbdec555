# Toolchain: pinned tofu, terragrunt and actionlint built from Go modules, and the project's
# provider mirror linked to this machine's. Read right after mk/python.mk: the other files
# name these paths and stamps in their rules (mk/supply.mk's release binaries fill the stamps).

TOOLS_BIN := $(TOOLS_DIR)/bin
TOOL_STAMPS := $(TOOLS_DIR)/stamps
TOFU := $(TOOLS_BIN)/tofu
TERRAGRUNT := $(TOOLS_BIN)/terragrunt
ACTIONLINT := $(TOOLS_BIN)/actionlint
TF_MIRROR := $(TOOLS_DIR)/mirror
# This machine's filesystem plugin mirror, which holds the provider binary (the machine image's);
# the project's mirror (TF_MIRROR) links to it.
PROVIDER_MIRROR ?= /opt/tf-plugins
TOFURC := $(TOOLS_DIR)/tofurc

# The version is in the stamp's name: bumping a pin in versions.env rebuilds that tool only.
TOFU_STAMP := $(TOOL_STAMPS)/tofu-$(OPENTOFU_VERSION)
TERRAGRUNT_STAMP := $(TOOL_STAMPS)/terragrunt-$(TERRAGRUNT_VERSION)
ACTIONLINT_STAMP := $(TOOL_STAMPS)/actionlint-$(ACTIONLINT_VERSION)
MIRROR_STAMP := $(TOOL_STAMPS)/aws-provider-$(AWS_PROVIDER_VERSION)
TOOLS := $(TOFU_STAMP) $(TERRAGRUNT_STAMP) $(ACTIONLINT_STAMP) $(MIRROR_STAMP)

.PHONY: tools infra-tools provider-download
tools: $(TOOLS) ## Build pinned tofu, terragrunt, actionlint; link the machine's AWS provider mirror

# A machine without a filesystem mirror of the provider (GitHub's runners): the pinned version
# from the registry, packed as `tofu providers mirror` writes it, for PROVIDER_MIRROR.
PROVIDER_DOWNLOAD := $(TOOLS_DIR)/provider-registry
provider-download: $(TOFU_STAMP) ## Download the pinned AWS provider from the registry into .tools/provider-registry (then: make tools PROVIDER_MIRROR=.tools/provider-registry)
	@pin=$$(mktemp -d) && trap 'rm -rf "$$pin"' EXIT && \
	  printf 'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws", version = "%s" }\n  }\n}\n' \
	    $(AWS_PROVIDER_VERSION) >"$$pin/versions.tf" && \
	  $(TOFU) -chdir="$$pin" providers mirror \
	    -platform="$$(devtools/aws-provider-mirror --platform)" \
	    $(PROVIDER_DOWNLOAD)

# What a real environment needs: providers come from the registry, not the offline mirror.
infra-tools: $(TOFU_STAMP) $(TERRAGRUNT_STAMP) ## Build tofu and terragrunt only (deploys to AWS)

$(TOFU_STAMP):
	devtools/go-module-build github.com/opentofu/opentofu v$(OPENTOFU_VERSION) ./cmd/tofu \
	  $(TOFU) "-X github.com/opentofu/opentofu/version.dev=no"
	@mkdir -p $(@D) && rm -f $(TOOL_STAMPS)/tofu-* && touch $@

$(TERRAGRUNT_STAMP):
	devtools/go-module-build github.com/gruntwork-io/terragrunt v$(TERRAGRUNT_VERSION) . \
	  $(TERRAGRUNT) "-X github.com/gruntwork-io/go-commons/version.Version=v$(TERRAGRUNT_VERSION)"
	@mkdir -p $(@D) && rm -f $(TOOL_STAMPS)/terragrunt-* && touch $@

$(ACTIONLINT_STAMP):
	devtools/go-module-build github.com/rhysd/actionlint v$(ACTIONLINT_VERSION) \
	  ./cmd/actionlint $(ACTIONLINT) "-X github.com/rhysd/actionlint.version=$(ACTIONLINT_VERSION)"
	@mkdir -p $(@D) && rm -f $(TOOL_STAMPS)/actionlint-* && touch $@

$(MIRROR_STAMP):
	@devtools/aws-provider-mirror $(TF_MIRROR) $(TOFURC) $(AWS_PROVIDER_VERSION) $(PROVIDER_MIRROR)
	@mkdir -p $(@D) && rm -f $(TOOL_STAMPS)/aws-provider-* && touch $@
