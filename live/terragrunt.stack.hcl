# Stops a `terragrunt run --all` (or `run-all`) whose working directory holds more than one
# environment: the repository root or live/. Terragrunt reads stack files under its working
# directory before it looks for units, so this is evaluated first and nothing else is parsed:
# without it, a run at the root would walk every environment at once (and stop on a fresh
# clone with an error per unit of each environment whose env.hcl is git-ignored). A run inside
# one environment (--working-dir live/<env>, or any make target) never sees this file.
#
# It declares no unit: its only job is the one-line message (docs/infrastructure.md, "Running
# Terragrunt"). The message is printed by the shell and then repeated in Terragrunt's error.
locals {
  environments = sort(distinct([for f in fileset(get_terragrunt_dir(), "*/env.hcl*") : dirname(f)]))
  message = join("", [
    "terragrunt: live/ holds the environments ${join(", ", local.environments)}; ",
    "run Terragrunt in one of them: terragrunt run --all --working-dir live/<env> -- plan ",
    "(or: make plan ENV=<env>)",
  ])
  stop = run_cmd("--terragrunt-quiet", "sh", "-c", "printf '%s\\n' \"$1\" >&2; exit 1", "stop", local.message)
}
