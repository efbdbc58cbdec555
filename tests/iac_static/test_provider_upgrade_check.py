"""devtools/provider_upgrade_check.py reads what the modules use and what a schema has.

The check itself runs by hand against another provider version's schema (docs/
infrastructure.md, "Provider"); here its readers are pinned on small samples, and its result
against the provider every suite runs must be empty (nothing the modules use is missing).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from devtools.provider_upgrade_check import missing, schema_from_source, tofu_schema, used_schema
from tests.harness import ROOT
from tests.iac_static.tooling import tool

SAMPLE = """
data "aws_region" "current" {}

resource "aws_lb" "this" {
  count = var.on ? 1 : 0
  name  = "x" # a comment { with a brace
  tags  = merge(var.tags, { Name = "x}" })

  dynamic "access_logs" {
    for_each = [1]
    content {
      bucket = "b"
    }
  }

  lifecycle {
    precondition {
      condition     = true
      error_message = "m"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  rule {
    filter {}
    status = <<-EOT
      not { an = argument }
    EOT
  }
  bucket = aws_lb.this[0].arn_suffix
  region = data.aws_region.current.name
}
"""

BINDING = """
class AwsLb extends cdktn.TerraformResource {
    get arnSuffix() {
        return this.getStringAttribute('arn_suffix');
    }
    synthesizeAttributes() {
        return {
            name: cdktn.stringToTerraform(this._name),
            access_logs: awsLbAccessLogsPropertyToTerraform(this._accessLogs.internalValue),
        };
    }
}
AwsLb.tfResourceType = "aws_lb";
function awsLbAccessLogsPropertyToTerraform(struct) {
    return {
        bucket: cdktn.stringToTerraform(struct.bucket),
    };
}
"""


def test_the_reader_sees_arguments_blocks_and_references_not_meta_or_strings(
    tmp_path: Path,
) -> None:
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "main.tf").write_text(SAMPLE)
    assert used_schema(tmp_path) == {
        "data.aws_region": {"@name"},
        "resource.aws_lb": {"name", "tags", "access_logs", "access_logs.bucket", "@arn_suffix"},
        "resource.aws_s3_bucket_lifecycle_configuration": {
            "rule",
            "rule.filter",
            "rule.status",
            "bucket",
            "region",
        },
    }


def test_a_binding_and_a_tofu_schema_read_alike(tmp_path: Path) -> None:
    assert schema_from_source(BINDING) == {
        "name",
        "access_logs",
        "access_logs.bucket",
        "@arn_suffix",
    }
    document = {
        "provider_schemas": {
            "registry.opentofu.org/hashicorp/aws": {
                "resource_schemas": {
                    "aws_lb": {
                        "block": {
                            "attributes": {"name": {}, "arn_suffix": {"computed": True}},
                            "block_types": {
                                "access_logs": {"block": {"attributes": {"bucket": {}}}}
                            },
                        }
                    }
                }
            }
        }
    }
    (tmp_path / "schema.json").write_text(json.dumps(document))
    schema = tofu_schema(tmp_path / "schema.json")
    assert schema["resource.aws_lb"] >= schema_from_source(BINDING)
    used = {"resource.aws_lb": {"name", "tags", "@arn_suffix"}, "data.aws_region": {"@name"}}
    assert missing(used, schema) == {"data.aws_region": [""], "resource.aws_lb": ["tags"]}


def test_nothing_the_modules_use_is_missing_from_the_provider_the_suites_run(
    tmp_path: Path,
) -> None:
    work = tmp_path / "schema"
    work.mkdir()
    (work / "versions.tf").write_text((ROOT / "modules" / "registry" / "versions.tf").read_text())
    env = {**os.environ, "TF_CLI_CONFIG_FILE": tool("TOFURC"), "TF_IN_AUTOMATION": "1"}

    def tofu(*args: str) -> str:
        done = subprocess.run(
            [tool("TOFU"), *args], cwd=work, env=env, capture_output=True, text=True, check=True
        )
        return done.stdout

    tofu("init", "-backend=false", "-no-color")
    (work / "schema.json").write_text(tofu("providers", "schema", "-json"))
    used = used_schema(ROOT / "modules")
    assert sum(len(paths) for paths in used.values()) > 300, "the reader lost the modules' uses"
    assert missing(used, tofu_schema(work / "schema.json")) == {}
