# The observability unit of the local environment (the emulator). The shared part
# (module, dependencies and their outputs) is live/_envcommon/observability.hcl.
include "root" {
  path = find_in_parent_folders("terragrunt.hcl")
}

include "envcommon" {
  path = "${get_repo_root()}/live/_envcommon/observability.hcl"
}

# No alarm e-mail on the emulator (the module's default, null): the topic has no subscriber.
