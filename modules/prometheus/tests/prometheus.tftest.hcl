# Plan-level checks of the prometheus module against a mocked AWS provider.
mock_provider "aws" {
  mock_resource "aws_prometheus_workspace" {
    defaults = {
      id                  = "ws-00000000-0000-0000-0000-000000000000"
      arn                 = "arn:aws:aps:eu-west-1:123456789012:workspace/ws-00000000-0000-0000-0000-000000000000"
      prometheus_endpoint = "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-00000000-0000-0000-0000-000000000000/"
    }
  }
}

variables {
  name = "sumapi-test"
  rule_groups = {
    sumapi-slo = "groups:\n  - name: slo\n    rules: []\n"
  }
}

run "enabled_creates_one_workspace_named_after_the_environment" {
  command = apply

  assert {
    condition     = length(aws_prometheus_workspace.this) == 1 && aws_prometheus_workspace.this[0].alias == "sumapi-test"
    error_message = "One workspace whose alias is the name."
  }

  assert {
    condition     = output.remote_write_url == "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-00000000-0000-0000-0000-000000000000/api/v1/remote_write"
    error_message = "The remote-write URL is the workspace endpoint + api/v1/remote_write, with a single slash."
  }

  assert {
    condition     = output.query_url == "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-00000000-0000-0000-0000-000000000000/api/v1/query"
    error_message = "The query URL is the workspace endpoint + api/v1/query."
  }

  assert {
    condition     = output.enabled && output.workspace_arn == aws_prometheus_workspace.this[0].arn && output.workspace_id == aws_prometheus_workspace.this[0].id
    error_message = "The outputs name the workspace."
  }

  assert {
    condition     = keys(aws_prometheus_rule_group_namespace.this) == ["sumapi-slo"] && aws_prometheus_rule_group_namespace.this["sumapi-slo"].workspace_id == aws_prometheus_workspace.this[0].id && aws_prometheus_rule_group_namespace.this["sumapi-slo"].data == var.rule_groups["sumapi-slo"]
    error_message = "Each rules file becomes the namespace of its name in the workspace, its bytes unchanged."
  }
}

run "disabled_creates_nothing_and_outputs_null" {
  command = apply

  variables {
    enabled = false
  }

  assert {
    condition     = length(aws_prometheus_workspace.this) == 0 && length(aws_prometheus_rule_group_namespace.this) == 0
    error_message = "enabled = false must create no workspace and no rules."
  }

  assert {
    condition     = !output.enabled && output.workspace_arn == null && output.workspace_id == null && output.remote_write_url == null && output.query_url == null && output.prometheus_endpoint == null
    error_message = "A disabled workspace leaves enabled = false and null everywhere else (compute then runs no collector)."
  }
}

run "a_namespace_name_amp_refuses_is_refused" {
  command = plan

  variables {
    rule_groups = { "-slo" = "groups: []\n" }
  }

  expect_failures = [var.rule_groups]
}

run "a_file_that_is_no_rules_file_is_refused" {
  command = plan

  variables {
    rule_groups = { slo = "- just a list\n" }
  }

  expect_failures = [var.rule_groups]
}

run "bad_name_is_refused" {
  command = plan

  variables {
    name = "Sumapi_Dev"
  }

  expect_failures = [var.name]
}
