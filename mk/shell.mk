# Shell scripts: every tracked sh/bash script is shellchecked (devtools/lint-shell finds them).

.PHONY: lint-shell
lint-shell: ## shellcheck every tracked sh/bash script; an executable without a #! line fails
	@devtools/apt-ensure shellcheck:shellcheck
	@devtools/lint-shell

TEST_TARGETS += lint-shell
FAST_TARGETS += lint-shell
