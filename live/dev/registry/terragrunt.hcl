# The registry unit of the dev environment. The shared part
# (module) is live/_envcommon/registry.hcl.
include "root" {
  path = find_in_parent_folders("terragrunt.hcl")
}

include "envcommon" {
  path = "${get_repo_root()}/live/_envcommon/registry.hcl"
}

# No settings of its own: the module's defaults (repositories app and nginx, 30 images each).
