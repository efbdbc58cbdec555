# The apply role's own rights: what `terragrunt apply` of the stack's units calls, scoped to the
# names the modules give their resources (local.stack, the environment's `name`). Each action
# here was called by a deploy of the stack: the rehearsal of the first deploy authorises every
# call of the pipeline's jobs against these documents with a policy evaluator, and fails on any
# it denies (tests/containers, docs/infrastructure.md "IAM on the emulator"). The plan role
# holds the read one too. Where an action has no resource-level permissions, or the resource
# is named by an ID AWS creates (EC2, KMS keys, scalable targets), the scope is the account and
# region; the boundary's and the deploy policy's denies hold over all of them.

locals {
  region_account = "${local.region}:${local.account_id}"
  log_groups = [
    "${local.arn}:logs:${local.region_account}:log-group:/ecs/${local.stack}/*",
    "${local.arn}:logs:${local.region_account}:log-group:/vpc/${local.stack}/*",
    # compute makes the cluster's Container Insights group (AWS's name) so that it expires.
    "${local.arn}:logs:${local.region_account}:log-group:/aws/ecs/containerinsights/${local.stack}/*",
    # The waf unit's: WAF requires the aws-waf-logs- prefix.
    "${local.arn}:logs:${local.region_account}:log-group:aws-waf-logs-${local.stack}",
    "${local.arn}:logs:${local.region_account}:log-group:aws-waf-logs-${local.stack}:*",
  ]
  load_balancer_arns = [
    "${local.arn}:elasticloadbalancing:${local.region_account}:loadbalancer/app/${local.stack}/*",
    "${local.arn}:elasticloadbalancing:${local.region_account}:listener/app/${local.stack}/*",
    "${local.arn}:elasticloadbalancing:${local.region_account}:listener-rule/app/${local.stack}/*",
    # compute names target groups by a 6-character prefix of the stack (a name_prefix).
    "${local.arn}:elasticloadbalancing:${local.region_account}:targetgroup/${substr(local.stack, 0, 6)}*/*",
  ]
  access_log_bucket = "${local.arn}:s3:::${local.stack}-alb-logs-${local.account_id}"
  web_acl_arns      = ["${local.arn}:wafv2:${local.region_account}:regional/webacl/${local.stack}/*"]
  # observability's monthly budget (Budgets is global: no region in the ARN).
  budget_arn = "${local.arn}:budgets::${local.account_id}:budget/${local.stack}-monthly"

  apply_documents = {
    read    = data.aws_iam_policy_document.apply_read.json
    network = data.aws_iam_policy_document.apply_network.json
    service = data.aws_iam_policy_document.apply_service.json
    data    = data.aws_iam_policy_document.apply_data.json
    observe = data.aws_iam_policy_document.apply_observe.json
  }
}

# Describe, list and read: a refresh of every unit (the apply role's and the plan role's).
data "aws_iam_policy_document" "apply_read" {
  #checkov:skip=CKV_AWS_356:Listing and describing calls the provider makes without a name (DescribeLogGroups by prefix, DescribeAlarms, DescribeRepositories) are authorised on the account; the named reads are scoped below.
  statement {
    sid = "ReadWithoutResourceScope"
    # These actions have no resource-level permissions (or the resource is an ID AWS creates).
    actions = [
      "application-autoscaling:Describe*", "aps:ListWorkspaces", "cloudwatch:DescribeAlarms",
      "ec2:Describe*", "ecr:DescribeRepositories", "ecs:DescribeTaskDefinition",
      "ecs:ListTaskDefinitions", "elasticloadbalancing:Describe*", "kms:ListAliases",
      "logs:DescribeLogGroups", "logs:DescribeResourcePolicies", "secretsmanager:ListSecrets",
      "sns:ListTopics",
      # Asked with the ALB's ARN: the web ACL it answers is not known when it is asked.
      "wafv2:GetWebACLForResource",
    ]
    resources = ["*"]
  }

  statement {
    sid = "ReadTheStacksResources"
    actions = [
      "aps:Describe*", "aps:List*", "cloudwatch:GetDashboard", "cloudwatch:ListTagsForResource",
      "ecr:Describe*", "ecr:GetLifecyclePolicy", "ecr:GetRepositoryPolicy", "ecr:ListTagsForResource",
      "ecs:Describe*", "ecs:List*", "iam:GetRole", "iam:GetRolePolicy",
      "iam:ListAttachedRolePolicies", "iam:ListRolePolicies", "iam:ListRoleTags",
      "kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags",
      "logs:DescribeMetricFilters", "logs:ListTagsForResource", "logs:ListTagsLogGroup",
      "s3:GetAccelerateConfiguration", "s3:GetBucket*", "s3:GetEncryptionConfiguration",
      "s3:GetLifecycleConfiguration", "s3:GetReplicationConfiguration", "s3:ListBucket",
      "secretsmanager:DescribeSecret", "secretsmanager:GetResourcePolicy",
      "sns:GetSubscriptionAttributes", "sns:GetTopicAttributes", "sns:ListSubscriptionsByTopic",
      "sns:ListTagsForResource", "application-autoscaling:ListTagsForResource",
      "wafv2:GetLoggingConfiguration", "wafv2:GetWebACL", "wafv2:ListTagsForResource",
      "budgets:ListTagsForResource", "budgets:ViewBudget",
    ]
    resources = concat(
      local.repository_arns, local.service_arns, local.task_definition_arns, local.log_groups,
      local.stack_role_arns, local.web_acl_arns, local.load_balancer_arns,
      [
        local.budget_arn,
        "${local.arn}:aps:${local.region_account}:*",
        "${local.arn}:application-autoscaling:${local.region_account}:scalable-target/*",
        "${local.arn}:cloudwatch::${local.account_id}:dashboard/${local.stack}",
        "${local.arn}:cloudwatch:${local.region_account}:alarm:${local.stack}-*",
        "${local.arn}:ecs:${local.region_account}:cluster/${local.stack}",
        "${local.arn}:kms:${local.region_account}:key/*",
        "${local.arn}:secretsmanager:${local.region_account}:secret:${local.stack}/*",
        "${local.arn}:sns:${local.region_account}:${local.stack}-*",
        local.access_log_bucket,
      ],
    )
  }
}

# The VPC, its subnets, gateways, routes, security groups and flow logs.
data "aws_iam_policy_document" "apply_network" {
  statement {
    sid = "Ec2NetworkOfTheRegion"
    # EC2 names these by IDs it creates; the region and account are the scope.
    actions = [
      "ec2:AllocateAddress", "ec2:AssociateRouteTable", "ec2:AttachInternetGateway",
      "ec2:AuthorizeSecurityGroupEgress", "ec2:AuthorizeSecurityGroupIngress",
      "ec2:CreateFlowLogs", "ec2:CreateInternetGateway", "ec2:CreateNatGateway",
      "ec2:CreateRoute", "ec2:CreateRouteTable", "ec2:CreateSecurityGroup",
      "ec2:CreateSubnet", "ec2:CreateTags", "ec2:CreateVpc", "ec2:CreateVpcEndpoint",
      "ec2:DeleteFlowLogs", "ec2:DeleteInternetGateway", "ec2:DeleteNatGateway",
      "ec2:DeleteRoute", "ec2:DeleteRouteTable", "ec2:DeleteSecurityGroup",
      "ec2:DeleteSubnet", "ec2:DeleteTags", "ec2:DeleteVpc", "ec2:DeleteVpcEndpoints",
      "ec2:DetachInternetGateway", "ec2:DisassociateAddress", "ec2:DisassociateRouteTable",
      "ec2:ModifySubnetAttribute", "ec2:ModifyVpcAttribute", "ec2:ModifyVpcEndpoint",
      "ec2:ReleaseAddress", "ec2:ReplaceRoute", "ec2:RevokeSecurityGroupEgress",
      "ec2:RevokeSecurityGroupIngress",
    ]
    resources = ["${local.arn}:ec2:${local.region_account}:*"]
  }

  statement {
    sid       = "PassTheFlowLogsRole"
    actions   = ["iam:PassRole"]
    resources = local.flow_logs_role_arns

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["vpc-flow-logs.amazonaws.com"]
    }
  }
}

# The service: ECS, the load balancer, autoscaling, the roles of the stack.
data "aws_iam_policy_document" "apply_service" {
  statement {
    sid       = "EcsTaskDefinitionsWithoutResourceScope"
    actions   = ["ecs:DeregisterTaskDefinition", "ecs:RegisterTaskDefinition"]
    resources = ["*"]
  }

  statement {
    sid = "EcsOwnClusterAndService"
    actions = [
      "ecs:CreateCluster", "ecs:CreateService", "ecs:DeleteCluster", "ecs:DeleteService",
      "ecs:PutClusterCapacityProviders", "ecs:TagResource", "ecs:UntagResource",
      "ecs:UpdateCluster", "ecs:UpdateClusterSettings", "ecs:UpdateService",
    ]
    resources = concat(local.service_arns, local.task_definition_arns, ["${local.arn}:ecs:${local.region_account}:cluster/${local.stack}"])
  }

  statement {
    sid = "OwnLoadBalancer"
    actions = [
      "elasticloadbalancing:AddTags", "elasticloadbalancing:CreateListener",
      "elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateRule",
      "elasticloadbalancing:CreateTargetGroup", "elasticloadbalancing:DeleteListener",
      "elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:DeleteRule",
      "elasticloadbalancing:DeleteTargetGroup", "elasticloadbalancing:ModifyListener",
      "elasticloadbalancing:ModifyLoadBalancerAttributes", "elasticloadbalancing:ModifyRule",
      "elasticloadbalancing:ModifyTargetGroup", "elasticloadbalancing:ModifyTargetGroupAttributes",
      "elasticloadbalancing:RemoveTags", "elasticloadbalancing:SetSecurityGroups",
      "elasticloadbalancing:SetSubnets", "elasticloadbalancing:SetWebACL",
    ]
    resources = local.load_balancer_arns
  }

  statement {
    sid = "OwnWebAclOnOwnLoadBalancer"
    # The waf unit: its web ACL, associated with the stack's ALB, logging to its log group.
    actions = [
      "wafv2:AssociateWebACL", "wafv2:CreateWebACL", "wafv2:DeleteLoggingConfiguration",
      "wafv2:DeleteWebACL", "wafv2:DisassociateWebACL", "wafv2:PutLoggingConfiguration",
      "wafv2:TagResource", "wafv2:UntagResource", "wafv2:UpdateWebACL",
    ]
    resources = concat(local.web_acl_arns, local.load_balancer_arns)
  }

  statement {
    sid = "AutoscalingOfTheService"
    actions = [
      "application-autoscaling:DeleteScalingPolicy", "application-autoscaling:DeregisterScalableTarget",
      "application-autoscaling:PutScalingPolicy", "application-autoscaling:RegisterScalableTarget",
      "application-autoscaling:TagResource",
    ]
    resources = ["${local.arn}:application-autoscaling:${local.region_account}:scalable-target/*"]
  }

  statement {
    sid = "OwnRoles"
    # The guard denies every change to the CI roles, which share the prefix.
    actions = [
      "iam:DeleteRole", "iam:DeleteRolePolicy", "iam:PutRolePolicy", "iam:TagRole",
      "iam:UntagRole", "iam:UpdateAssumeRolePolicy", "iam:UpdateRole", "iam:UpdateRoleDescription",
    ]
    resources = local.stack_role_arns
  }

  statement {
    sid       = "CreateOwnRolesInTheWorkloadBoundary"
    actions   = ["iam:CreateRole", "iam:PutRolePermissionsBoundary"]
    resources = local.stack_role_arns

    condition {
      test     = "StringEquals"
      variable = "iam:PermissionsBoundary"
      values   = [local.workload_boundary]
    }
  }

  statement {
    sid       = "PassTaskRolesToEcs"
    actions   = ["iam:PassRole"]
    resources = local.task_role_arns

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }

  statement {
    sid       = "ServiceLinkedRoles"
    actions   = ["iam:CreateServiceLinkedRole"]
    resources = ["${local.arn}:iam::${local.account_id}:role/aws-service-role/*"]

    condition {
      test     = "StringEquals"
      variable = "iam:AWSServiceName"
      values   = ["ecs.amazonaws.com", "ecs.application-autoscaling.amazonaws.com", "elasticloadbalancing.amazonaws.com"]
    }
  }
}

# Images' repositories, the API keys' secret and key, log groups, the access-log bucket.
data "aws_iam_policy_document" "apply_data" {
  statement {
    sid = "OwnRepositories"
    actions = [
      "ecr:CreateRepository", "ecr:DeleteLifecyclePolicy", "ecr:DeleteRepository",
      "ecr:PutImageScanningConfiguration", "ecr:PutImageTagMutability", "ecr:PutLifecyclePolicy",
      "ecr:TagResource", "ecr:UntagResource",
    ]
    resources = local.repository_arns
  }

  statement {
    sid       = "CreateKeys"
    actions   = ["kms:CreateKey"]
    resources = ["*"]
  }

  statement {
    sid = "KeysOfTheAccount"
    # KMS keys are named by IDs AWS creates; aliases name the stack's.
    actions = [
      "kms:EnableKeyRotation", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:TagResource",
      "kms:UntagResource", "kms:UpdateKeyDescription", "kms:CreateAlias", "kms:DeleteAlias",
      "kms:UpdateAlias",
    ]
    resources = ["${local.arn}:kms:${local.region_account}:key/*", "${local.arn}:kms:${local.region_account}:alias/${local.stack}*"]
  }

  statement {
    sid = "OwnSecrets"
    actions = [
      "secretsmanager:CreateSecret", "secretsmanager:DeleteSecret",
      "secretsmanager:DeleteResourcePolicy", "secretsmanager:PutResourcePolicy",
      "secretsmanager:TagResource", "secretsmanager:UntagResource",
    ]
    resources = ["${local.arn}:secretsmanager:${local.region_account}:secret:${local.stack}/*"]
  }

  statement {
    sid = "OwnLogGroups"
    actions = [
      "logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:DeleteMetricFilter",
      "logs:DeleteRetentionPolicy", "logs:PutMetricFilter", "logs:PutRetentionPolicy",
      "logs:TagLogGroup", "logs:TagResource", "logs:UntagLogGroup", "logs:UntagResource",
    ]
    resources = local.log_groups
  }

  statement {
    sid = "WafLogDeliveryWithoutResourceScope"
    # Log resource policies and WAF's log delivery have no resource-level permissions.
    actions = [
      "logs:CreateLogDelivery", "logs:DeleteLogDelivery", "logs:DeleteResourcePolicy",
      "logs:PutResourcePolicy",
    ]
    resources = ["*"]
  }

  statement {
    sid = "OwnAccessLogBucket"
    actions = [
      "s3:CreateBucket", "s3:DeleteBucket", "s3:DeleteBucketPolicy", "s3:PutBucketAcl",
      "s3:PutBucketOwnershipControls", "s3:PutBucketPolicy", "s3:PutBucketPublicAccessBlock",
      "s3:PutBucketTagging", "s3:PutBucketVersioning", "s3:PutEncryptionConfiguration",
      "s3:PutLifecycleConfiguration",
    ]
    resources = [local.access_log_bucket]
  }
}

# Alarms, the dashboard, the alarm topic, the AMP workspace and the alias record.
data "aws_iam_policy_document" "apply_observe" {
  statement {
    sid = "OwnAlarmsAndDashboard"
    actions = [
      "cloudwatch:DeleteAlarms", "cloudwatch:DeleteDashboards", "cloudwatch:PutDashboard",
      "cloudwatch:PutMetricAlarm", "cloudwatch:TagResource", "cloudwatch:UntagResource",
    ]
    resources = [
      "${local.arn}:cloudwatch::${local.account_id}:dashboard/${local.stack}",
      "${local.arn}:cloudwatch:${local.region_account}:alarm:${local.stack}-*",
    ]
  }

  statement {
    sid = "OwnAlarmTopic"
    actions = [
      "sns:CreateTopic", "sns:DeleteTopic", "sns:SetTopicAttributes", "sns:Subscribe",
      "sns:TagResource", "sns:Unsubscribe", "sns:UntagResource",
    ]
    resources = ["${local.arn}:sns:${local.region_account}:${local.stack}-*"]
  }

  statement {
    sid = "PrometheusWorkspaceAndRules"
    # The AMP workspace is named by an ID AWS creates; `make deploy` loads its rules.
    actions = [
      "aps:CreateAlertManagerDefinition", "aps:CreateRuleGroupsNamespace",
      "aps:DeleteAlertManagerDefinition", "aps:DeleteRuleGroupsNamespace", "aps:DeleteWorkspace",
      "aps:PutAlertManagerDefinition", "aps:PutRuleGroupsNamespace", "aps:TagResource",
      "aps:UntagResource", "aps:UpdateWorkspaceAlias",
    ]
    resources = ["${local.arn}:aps:${local.region_account}:*"]
  }

  statement {
    sid = "PrometheusWorkspaceTaggedAsTheStack"
    # CreateWorkspace has no resource-level scope (the workspace's ID is AWS's): the request's
    # Name tag is what ties it to the stack.
    actions   = ["aps:CreateWorkspace"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Name"
      values   = [local.stack]
    }
  }

  statement {
    sid = "OwnBudget"
    # Creating, updating and deleting a budget and its notifications is budgets:ModifyBudget.
    actions   = ["budgets:ModifyBudget", "budgets:TagResource", "budgets:UntagResource"]
    resources = [local.budget_arn]
  }

  dynamic "statement" {
    for_each = var.route53_zone_id == null ? [] : [1]

    content {
      sid       = "AliasRecord"
      actions   = ["route53:ChangeResourceRecordSets", "route53:GetHostedZone", "route53:ListResourceRecordSets"]
      resources = ["${local.arn}:route53:::hostedzone/${var.route53_zone_id}"]
    }
  }

  dynamic "statement" {
    for_each = var.route53_zone_id == null ? [] : [1]

    content {
      sid       = "AliasRecordChange"
      actions   = ["route53:GetChange"]
      resources = ["${local.arn}:route53:::change/*"]
    }
  }
}

resource "aws_iam_policy" "apply" {
  for_each = local.apply_documents

  name        = "${var.name}-${each.key}"
  description = "The ${each.key} rights of the apply role ${local.role_names.apply} on the stack ${local.stack} (modules/github-oidc/apply_policies.tf)"
  policy      = each.value

  tags = merge(var.tags, { Name = "${var.name}-${each.key}" })
}

## Workload boundary --------------------------------------------------------------------------

# The boundary every role the stack's modules create carries (compute's execution and task
# roles, networking's flow-logs role): the apply role may create roles only inside it. It
# allows what those roles' own policies may grant, and nothing in IAM, so a role the apply
# role makes (or rewrites) can never hold more.
data "aws_iam_policy_document" "workload_boundary" {
  # A permissions boundary grants nothing: it caps the stack's roles at these actions; their own
  # policies scope them (the execution role reads one secret, pulls the stack's images).
  #checkov:skip=CKV_AWS_108:A boundary grants nothing; the execution role's own policy names the one secret it reads.
  #checkov:skip=CKV_AWS_111:A boundary grants nothing; the roles' own policies scope their writes (their log groups).
  #checkov:skip=CKV_AWS_356:A boundary grants nothing; the roles' own policies name their resources.
  statement {
    sid = "WhatTheStacksRolesDo"
    actions = [
      "aps:RemoteWrite", "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage",
      "ecr:GetAuthorizationToken", "ecr:GetDownloadUrlForLayer", "kms:Decrypt",
      "logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogGroups",
      "logs:DescribeLogStreams", "logs:PutLogEvents", "secretsmanager:GetSecretValue",
    ]
    resources = ["*"]
  }
}

resource "aws_iam_policy" "workload_boundary" {
  name        = "${local.stack}-workload-boundary"
  description = "Permissions boundary of the roles the stack ${local.stack} creates (ECS tasks, flow logs): no IAM, only what those roles do"
  policy      = data.aws_iam_policy_document.workload_boundary.json

  tags = merge(var.tags, { Name = "${local.stack}-workload-boundary" })
}
