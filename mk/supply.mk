# Supply chain: what GitHub's runners download instead of building (tofu, terragrunt, syft),
# each checked against its SHA-256 pin in versions.env, and the images' SBOMs.
# The Go builds of mk/infra.mk stay the offline path (this project's machine, self-hosted runners).

# Where the release downloads come from (a mirror with the same paths may stand in).
RELEASES_URL ?= https://github.com
SYFT := $(TOOLS_BIN)/syft
SYFT_STAMP := $(TOOL_STAMPS)/syft-$(SYFT_VERSION)
# The SBOMs of make sbom, one SPDX JSON per image (the deploy workflow uploads the directory).
SBOM_DIR ?= $(ROOT)/.run/sbom
# The pins are for the runners' platform; elsewhere the Go builds (make infra-tools) apply.
RELEASE_PLATFORM_CHECK = [ "$$(uname -sm)" = "Linux x86_64" ] || { echo "$@: the release pins of \
  versions.env are for linux/amd64, this is $$(uname -sm): make infra-tools builds tofu and \
  terragrunt from Go modules instead" >&2; exit 1; }

.PHONY: release-tools sbom

# The stamps are mk/infra.mk's: afterwards `make infra-tools` (and `make tools`) have nothing
# left to build for tofu and terragrunt.
release-tools: ## GitHub's runners: tofu and terragrunt from their release binaries, SHA-256 checked against versions.env
	@$(RELEASE_PLATFORM_CHECK)
ifeq ($(OPENTOFU_SHA256_LINUX_AMD64),)
	@echo "release-tools: versions.env OPENTOFU_SHA256_LINUX_AMD64 is empty: make infra-tools" \
	  "builds tofu from Go modules (minutes); fill the pin from tofu_$(OPENTOFU_VERSION)_SHA256SUMS" \
	  "(docs/infrastructure.md#release-binaries)" >&2
else
	@devtools/release-binary OPENTOFU_SHA256_LINUX_AMD64 '$(OPENTOFU_SHA256_LINUX_AMD64)' \
	  $(RELEASES_URL)/opentofu/opentofu/releases/download/v$(OPENTOFU_VERSION)/tofu_$(OPENTOFU_VERSION)_linux_amd64.tar.gz \
	  tofu $(TOFU)
	@mkdir -p $(TOOL_STAMPS) && rm -f $(TOOL_STAMPS)/tofu-* && touch $(TOFU_STAMP)
endif
	@devtools/release-binary TERRAGRUNT_SHA256_LINUX_AMD64 '$(TERRAGRUNT_SHA256_LINUX_AMD64)' \
	  $(RELEASES_URL)/gruntwork-io/terragrunt/releases/download/v$(TERRAGRUNT_VERSION)/terragrunt_linux_amd64 \
	  - $(TERRAGRUNT)
	@mkdir -p $(TOOL_STAMPS) && rm -f $(TOOL_STAMPS)/terragrunt-* && touch $(TERRAGRUNT_STAMP)

$(SYFT_STAMP):
	@$(RELEASE_PLATFORM_CHECK)
	@devtools/release-binary SYFT_SHA256_LINUX_AMD64 '$(SYFT_SHA256_LINUX_AMD64)' \
	  $(RELEASES_URL)/anchore/syft/releases/download/v$(SYFT_VERSION)/syft_$(SYFT_VERSION)_linux_amd64.tar.gz \
	  syft $(SYFT)
	@mkdir -p $(@D) && rm -f $(TOOL_STAMPS)/syft-* && touch $@

# Read from the engine's own export of each image (docker save / podman save: a docker-archive),
# so one recipe serves both engines; named and versioned as the image, tagged IMAGE_TAG.
sbom: $(SYFT_STAMP) ## SPDX SBOM of both IMAGE_TAG images (syft) in SBOM_DIR; the deploy workflow attaches them to its run
	@mkdir -p $(SBOM_DIR)
	@work=$$(mktemp -d) && trap 'rm -rf "$$work"' EXIT && for image in $(APP_IMAGE) $(GATEWAY_IMAGE); do \
	  sbom="$(SBOM_DIR)/$$image-$(IMAGE_TAG).spdx.json"; \
	  $(CONTAINER_ENGINE) save -o "$$work/$$image.tar" "$$image:$(IMAGE_TAG)" >/dev/null \
	  && $(SYFT) scan --quiet "docker-archive:$$work/$$image.tar" --source-name "$$image" \
	    --source-version '$(IMAGE_TAG)' -o "spdx-json=$$sbom" \
	  || { echo "sbom: no SBOM of $$image:$(IMAGE_TAG) (is it built? make images)" >&2; exit 1; }; \
	  echo "sbom: $$sbom"; \
	done
