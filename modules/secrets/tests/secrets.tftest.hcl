# Plan-level checks of the secrets module against a mocked AWS provider.
mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }
  # The provider validates these at plan time even when mocked.
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555", key_id = "11111111-2222-3333-4444-555555555555" }
  }
}

variables {
  name = "sumapi-test"
}

run "rotating_cmk_encrypts_the_secret" {
  command = apply

  assert {
    condition     = aws_kms_key.this.enable_key_rotation
    error_message = "The CMK must rotate."
  }

  assert {
    condition     = aws_secretsmanager_secret.this.kms_key_id == aws_kms_key.this.arn && aws_secretsmanager_secret.this.name == "sumapi-test/api-keys"
    error_message = "The API keys secret is <name>/api-keys, encrypted with the module's key."
  }

  assert {
    condition     = aws_kms_alias.this.name == "alias/sumapi-test"
    error_message = "The key has an alias named after the environment."
  }

  assert {
    condition     = [for s in data.aws_iam_policy_document.key.statement : s.sid] == ["AccountRootFullAccess"]
    error_message = "Without optional principals the key policy only trusts the account root."
  }

  assert {
    condition     = one(one(data.aws_iam_policy_document.key.statement).principals).identifiers == toset(["arn:aws:iam::123456789012:root"])
    error_message = "The root statement names this account's root."
  }
}

run "key_users_only_through_secrets_manager" {
  command = apply

  variables {
    kms_key_user_arns = ["arn:aws:iam::123456789012:role/key-tool"]
  }

  assert {
    condition     = one([for s in data.aws_iam_policy_document.key.statement : one(s.condition).values if s.sid == "KeyUseThroughSecretsManager"]) == tolist(["secretsmanager.eu-west-1.amazonaws.com"])
    error_message = "Key users may use the key only via Secrets Manager."
  }
}

# 0 deletes the secret at once: a throw-away environment (dev) can be destroyed and deployed
# again under the same name. Anything else keeps the name reserved for the window.
run "immediate_deletion_is_allowed_for_throw_away_environments" {
  command = apply

  variables {
    recovery_window_in_days = 0
  }

  assert {
    condition     = aws_secretsmanager_secret.this.recovery_window_in_days == 0
    error_message = "recovery_window_in_days = 0 must reach the secret (force delete without recovery)."
  }
}

run "recovery_window_above_30_days_is_refused" {
  command = plan

  variables {
    recovery_window_in_days = 31
  }

  expect_failures = [var.recovery_window_in_days]
}

run "recovery_window_out_of_range_is_refused" {
  command = plan

  variables {
    recovery_window_in_days = 3
  }

  expect_failures = [var.recovery_window_in_days]
}

run "service_principals_act_for_this_account_only" {
  command = apply

  variables {
    kms_key_service_principals = ["logs.eu-west-1.amazonaws.com"]
  }

  assert {
    condition = anytrue([
      for st in data.aws_iam_policy_document.key.statement : anytrue([
        for c in st.condition : c.test == "StringEquals" && c.variable == "aws:SourceAccount" && contains(c.values, "123456789012")
      ]) if st.sid == "KeyUseByServices"
    ])
    error_message = "Service principals may use the key only for this account's resources (aws:SourceAccount)."
  }
}
