# The prometheus unit of the local environment (the emulator): its settings. The shared part
# (module) is live/_envcommon/prometheus.hcl.
include "root" {
  path = find_in_parent_folders("terragrunt.hcl")
}

include "envcommon" {
  path = "${get_repo_root()}/live/_envcommon/prometheus.hcl"
}

inputs = {
  # Off: provider 3.39 has no endpoint override for AMP, so the workspace would be created
  # in real AWS, not in the emulator. The unit still applies (nothing), and the tests prove
  # the "off" path: no collector, SNS's default topic policy, the rules step skipped. The
  # rules step itself is proven against moto's AMP by tests/iac_static/test_amp_config.py.
  enabled = false
}
