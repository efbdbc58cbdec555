# The bootstrap unit of the local environment: shared definition in live/_envcommon/bootstrap.hcl.
include "root" {
  path = find_in_parent_folders("terragrunt.hcl")
}

include "envcommon" {
  path = "${get_repo_root()}/live/_envcommon/bootstrap.hcl"
}
