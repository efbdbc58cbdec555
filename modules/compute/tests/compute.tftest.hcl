# Plan-level checks of the compute module's contract, against a mocked AWS provider:
# no credentials or emulator needed, runs in seconds.
mock_provider "aws" {
  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  # The provider validates these at plan time even when mocked.
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/sumapi-test" }
  }
  mock_resource "aws_lb" {
    defaults = {
      arn      = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/sumapi-test/0123456789abcdef"
      dns_name = "sumapi-test-123456789.eu-west-1.elb.amazonaws.com"
      zone_id  = "Z32O12XQLNTSW2"
    }
  }
  mock_resource "aws_lb_target_group" {
    defaults = { arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/sumapi-test-gw/0123456789abcdef" }
  }
}

variables {
  name                    = "sumapi-test"
  vpc_id                  = "vpc-0123456789abcdef0"
  public_subnet_ids       = ["subnet-pub-a", "subnet-pub-b"]
  private_subnet_ids      = ["subnet-prv-a", "subnet-prv-b"]
  alb_security_group_id   = "sg-alb"
  tasks_security_group_id = "sg-tasks"
  api_keys_secret_arn     = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:sumapi-test/api-keys-AbCdEf"
  api_keys_kms_key_arn    = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
  repository_urls = {
    app   = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/sumapi-test/app"
    nginx = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/sumapi-test/nginx"
  }
  repository_arns = {
    app   = "arn:aws:ecr:eu-west-1:123456789012:repository/sumapi-test/app"
    nginx = "arn:aws:ecr:eu-west-1:123456789012:repository/sumapi-test/nginx"
  }
}

run "task_definition_follows_the_contract" {
  command = apply

  assert {
    condition     = one(aws_ecs_task_definition.this.runtime_platform).operating_system_family == "LINUX" && one(aws_ecs_task_definition.this.runtime_platform).cpu_architecture == "X86_64"
    error_message = "The task runs on Linux x86_64, the platform the images are built for."
  }

  assert {
    condition     = [for c in jsondecode(aws_ecs_task_definition.this.container_definitions) : c.name] == ["app", "nginx"]
    error_message = "The task must run exactly the app and the nginx gateway."
  }

  assert {
    condition     = !can(jsondecode(aws_ecs_task_definition.this.container_definitions)[0].portMappings)
    error_message = "The app container must not map any port: only nginx is reachable."
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[1].portMappings == [{ containerPort = 8080, protocol = "tcp" }]
    error_message = "nginx must map only the gateway port."
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[1].secrets == [{ name = "API_KEYS", valueFrom = var.api_keys_secret_arn }]
    error_message = "nginx must get API_KEYS from the secret through ECS secrets."
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[1].dependsOn == [{ containerName = "app", condition = "HEALTHY" }]
    error_message = "nginx must start only once the app is HEALTHY."
  }

  assert {
    condition     = alltrue([for c in jsondecode(aws_ecs_task_definition.this.container_definitions) : c.readonlyRootFilesystem && c.user != "0" && !startswith(c.user, "0:") && c.stopTimeout == 30])
    error_message = "Both containers must be non-root, read-only and stop within 30 s."
  }

  assert {
    condition = {
      for e in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].environment : e.name => e.value if startswith(e.name, "SUMAPI_")
      } == {
      SUMAPI_COMMIT                   = "1.0.0"
      SUMAPI_DRAIN_SECONDS            = "5"
      SUMAPI_HOST                     = "127.0.0.1"
      SUMAPI_LOG_LEVEL                = "INFO"
      SUMAPI_MAX_BODY_BYTES           = "16384"
      SUMAPI_PORT                     = "8000"
      SUMAPI_SHUTDOWN_TIMEOUT_SECONDS = "15"
      SUMAPI_VERSION                  = "1.0.0"
      SUMAPI_WORKERS                  = "1"
    }
    error_message = "The app must get the SUMAPI_* contract environment."
  }

  assert {
    condition = { for e in jsondecode(aws_ecs_task_definition.this.container_definitions)[1].environment : e.name => e.value } == {
      LISTEN_PORT                = "8080"
      UPSTREAM                   = "127.0.0.1:8000"
      KEEPALIVE_TIMEOUT_SECONDS  = "65"
      PROXY_READ_TIMEOUT_SECONDS = "25"
      SUMAPI_MAX_BODY_BYTES      = "16384"
      SUM_RATE                   = "5r/s"
      SUM_BURST                  = "10"
      UNAUTH_RATE                = "2r/s"
      UNAUTH_BURST               = "10"
    }
    error_message = "nginx must listen on the gateway port, proxy to the app over localhost, with the module's timeouts, the app's body limit and the default rate limits (gateway_rate_limits)."
  }

  assert {
    condition     = aws_ecs_task_definition.this.cpu == "256" && aws_ecs_task_definition.this.memory == "512"
    error_message = "Default task size is 256 cpu / 512 MiB."
  }

  assert {
    condition     = one(aws_ecs_service.this.network_configuration).assign_public_ip == false
    error_message = "Tasks must not get public IPs."
  }

  assert {
    condition     = aws_ecs_service.this.deployment_minimum_healthy_percent == 100 && aws_ecs_service.this.deployment_maximum_percent == 200
    error_message = "Rolling deployments must keep 100% and surge to 200%."
  }

  assert {
    condition     = one(aws_ecs_service.this.deployment_circuit_breaker).enable && one(aws_ecs_service.this.deployment_circuit_breaker).rollback
    error_message = "The deployment circuit breaker must roll back."
  }

  assert {
    condition     = one(aws_ecs_service.this.alarms).enable && one(aws_ecs_service.this.alarms).rollback && one(aws_ecs_service.this.alarms).alarm_names == toset(["sumapi-test-deploy-5xx-ratio", "sumapi-test-deploy-no-healthy-hosts"]) && toset(output.deployment_alarm_names) == one(aws_ecs_service.this.alarms).alarm_names
    error_message = "A deployment must roll back when its 5xx-ratio or no-healthy-hosts alarm goes off."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.deployment_error_rate.threshold == 5 && aws_cloudwatch_metric_alarm.deployment_error_rate.evaluation_periods == 3 && strcontains(one([for q in aws_cloudwatch_metric_alarm.deployment_error_rate.metric_query : q.expression if q.id == "ratio"]), "FILL(req, 0) >= 20")
    error_message = "The deployment's 5xx ratio rolls back above 5% for 3 minutes, with at least 20 requests a minute."
  }

  assert {
    condition     = length(coalesce(aws_cloudwatch_metric_alarm.deployment_error_rate.alarm_actions, [])) == 0 && length(coalesce(aws_cloudwatch_metric_alarm.deployment_no_healthy_hosts.alarm_actions, [])) == 0 && aws_cloudwatch_metric_alarm.deployment_no_healthy_hosts.dimensions.TargetGroup == aws_lb_target_group.this.arn_suffix
    error_message = "The deployment alarms roll back and notify nobody (observability's alarms page); no-healthy-hosts watches the service's target group."
  }

  assert {
    condition     = aws_lb_target_group.this.deregistration_delay == "30" && aws_lb_target_group.this.target_type == "ip" && one(aws_lb_target_group.this.health_check).path == "/readyz"
    error_message = "Target group: ip targets, /readyz, 30 s drain."
  }

  assert {
    condition     = aws_lb.this.drop_invalid_header_fields && !aws_lb.this.internal
    error_message = "The ALB is internet-facing and drops invalid headers."
  }

  assert {
    condition     = length(aws_lb_listener.https) == 0 && one(aws_lb_listener.http.default_action).type == "forward"
    error_message = "Without enable_https the HTTP listener forwards and there is no HTTPS listener."
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].image == "123456789012.dkr.ecr.eu-west-1.amazonaws.com/sumapi-test/app:${var.image_tag}"
    error_message = "The app image is the registry unit's app repository at image_tag."
  }

  assert {
    condition     = { for k, p in aws_appautoscaling_policy.this : k => p.target_tracking_scaling_policy_configuration[0].predefined_metric_specification[0].predefined_metric_type } == { cpu = "ECSServiceAverageCPUUtilization", requests = "ALBRequestCountPerTarget" }
    error_message = "Scaling tracks ECS CPU and ALB requests per target."
  }

  assert {
    condition     = output.url == "http://sumapi-test-123456789.eu-west-1.elb.amazonaws.com" && length(aws_route53_record.alias) == 0
    error_message = "Without HTTPS or a domain the URL is plain HTTP on the ALB's own name, and there is no DNS record."
  }

  assert {
    condition     = aws_lb.this.enable_deletion_protection
    error_message = "The ALB is protected from deletion unless an environment lifts it."
  }

  assert {
    condition     = length(aws_s3_bucket.access_logs) == 0 && length(aws_lb.this.access_logs) == 0 && output.alb_access_logs_bucket == null
    error_message = "Access logs are off by default: no bucket, no access_logs block."
  }
}

# A fixed target group name collides with itself on replacement: the new group (create before
# destroy, the listeners point at it) cannot take the old one's name.
run "target_group_is_named_by_prefix" {
  command = plan

  assert {
    condition     = aws_lb_target_group.this.name_prefix == "sumapi" && length(aws_lb_target_group.this.name_prefix) <= 6
    error_message = "The target group must use name_prefix (at most 6 characters: the provider appends 26 of a 32-character name), not a fixed name."
  }
}

run "https_redirects_http" {
  command = apply

  variables {
    enable_https    = true
    certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/abc"
  }

  assert {
    condition     = length(aws_lb_listener.https) == 1 && aws_lb_listener.https[0].ssl_policy == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    error_message = "enable_https must create the HTTPS listener with the TLS 1.3 policy (TLS 1.2 minimum)."
  }

  assert {
    condition     = one(aws_lb_listener.http.default_action).type == "redirect" && one(one(aws_lb_listener.http.default_action).redirect).protocol == "HTTPS"
    error_message = "With HTTPS, port 80 must redirect."
  }

  assert {
    condition     = output.url == "https://sumapi-test-123456789.eu-west-1.elb.amazonaws.com" && length(aws_route53_record.alias) == 0
    error_message = "HTTPS without a domain: the URL is https on the ALB's own name (which the certificate does not cover)."
  }
}

run "tls_policy_allowing_tls_1_0_is_refused" {
  command = plan

  variables {
    enable_https    = true
    certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/abc"
    ssl_policy      = "ELBSecurityPolicy-TLS13-1-0-2021-06"
  }

  expect_failures = [var.ssl_policy]
}

run "pre_tls_1_3_policy_is_refused" {
  command = plan

  variables {
    ssl_policy = "ELBSecurityPolicy-TLS-1-2-Ext-2018-06"
  }

  expect_failures = [var.ssl_policy]
}

run "domain_gets_an_alias_record_and_is_the_url" {
  command = apply

  variables {
    enable_https    = true
    certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/abc"
    domain_name     = "api.example.com"
    route53_zone_id = "Z0123456789ABCDEFGHIJ"
  }

  assert {
    condition     = aws_route53_record.alias[0].zone_id == "Z0123456789ABCDEFGHIJ" && aws_route53_record.alias[0].name == "api.example.com" && aws_route53_record.alias[0].type == "A"
    error_message = "The domain gets an A record in its zone."
  }

  assert {
    condition     = one(aws_route53_record.alias[0].alias).name == aws_lb.this.dns_name && one(aws_route53_record.alias[0].alias).zone_id == aws_lb.this.zone_id && one(aws_route53_record.alias[0].alias).evaluate_target_health
    error_message = "The record is an alias to the ALB (its DNS name and hosted zone), evaluating target health."
  }

  assert {
    condition     = output.url == "https://api.example.com"
    error_message = "With a domain the URL is https on the domain: the name the certificate covers."
  }
}

run "domain_without_https_is_refused" {
  command = plan

  variables {
    domain_name     = "api.example.com"
    route53_zone_id = "Z0123456789ABCDEFGHIJ"
  }

  expect_failures = [aws_lb_listener.http]
}

run "domain_without_zone_is_refused" {
  command = plan

  variables {
    enable_https    = true
    certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/abc"
    domain_name     = "api.example.com"
  }

  expect_failures = [aws_lb_listener.http]
}

run "zone_without_domain_is_refused" {
  command = plan

  variables {
    route53_zone_id = "Z0123456789ABCDEFGHIJ"
  }

  expect_failures = [aws_lb_listener.http]
}

run "malformed_domain_is_refused" {
  command = plan

  variables {
    domain_name = "API.example.com."
  }

  expect_failures = [var.domain_name]
}

run "access_logs_go_to_the_module_bucket" {
  command = apply

  variables {
    alb_access_logs_enabled = true
  }

  assert {
    condition     = aws_s3_bucket.access_logs[0].bucket == "sumapi-test-alb-logs-123456789012" && !aws_s3_bucket.access_logs[0].force_destroy
    error_message = "The bucket is <name>-alb-logs-<account>, and destroy does not delete logs unless asked to."
  }

  assert {
    condition     = one(aws_lb.this.access_logs).enabled && one(aws_lb.this.access_logs).bucket == aws_s3_bucket.access_logs[0].id && one(aws_lb.this.access_logs).prefix == "alb"
    error_message = "The ALB writes its access logs to the module's bucket under alb_access_logs_prefix."
  }

  assert {
    condition     = aws_s3_bucket_server_side_encryption_configuration.access_logs[0].bucket == aws_s3_bucket.access_logs[0].id && one(one(aws_s3_bucket_server_side_encryption_configuration.access_logs[0].rule).apply_server_side_encryption_by_default).sse_algorithm == "AES256"
    error_message = "The bucket is encrypted with SSE-S3, the only encryption ALB log delivery supports."
  }

  assert {
    condition     = aws_s3_bucket_lifecycle_configuration.access_logs[0].bucket == aws_s3_bucket.access_logs[0].id && one(aws_s3_bucket_lifecycle_configuration.access_logs[0].rule).status == "Enabled" && one(one(aws_s3_bucket_lifecycle_configuration.access_logs[0].rule).expiration).days == 90
    error_message = "Access logs expire after alb_access_logs_expiration_days (default 90)."
  }

  assert {
    condition     = alltrue([for flag in ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"] : aws_s3_bucket_public_access_block.access_logs[0][flag]])
    error_message = "Public access to the bucket is blocked in all four ways."
  }

  assert {
    condition     = [for st in data.aws_iam_policy_document.access_logs[0].statement : st.sid] == ["DenyInsecureTransport", "ElbAccountWritesAccessLogs", "ElbServiceWritesAccessLogs"]
    error_message = "The bucket policy denies plain HTTP and lets only ELB log delivery write (regional account and service principal)."
  }

  assert {
    condition = anytrue([
      for st in data.aws_iam_policy_document.access_logs[0].statement : st.effect == "Deny" && anytrue([
        for c in st.condition : c.test == "Bool" && c.variable == "aws:SecureTransport" && contains(c.values, "false")
      ]) if st.sid == "DenyInsecureTransport"
    ])
    error_message = "Requests without TLS must be denied."
  }

  assert {
    condition = one([
      for st in data.aws_iam_policy_document.access_logs[0].statement : one(st.principals).identifiers if st.sid == "ElbAccountWritesAccessLogs"
    ]) == toset(["arn:aws:iam::156460612806:root"])
    error_message = "In eu-west-1 (a region older than August 2022) the regional ELB account 156460612806 delivers the logs."
  }

  assert {
    condition = alltrue([
      for st in data.aws_iam_policy_document.access_logs[0].statement : st.actions == toset(["s3:PutObject"]) && st.resources == toset(["arn:aws:s3:::sumapi-test-alb-logs-123456789012/alb/AWSLogs/123456789012/*"]) if st.sid != "DenyInsecureTransport"
    ])
    error_message = "ELB may only put objects under <prefix>/AWSLogs/<this account>/."
  }

  assert {
    condition     = output.alb_access_logs_bucket == aws_s3_bucket.access_logs[0].id
    error_message = "The bucket is an output (where to read the logs)."
  }
}

run "newer_regions_deliver_as_the_service_principal" {
  command = apply

  variables {
    alb_access_logs_enabled = true
    alb_access_logs_prefix  = ""
  }

  override_data {
    target = data.aws_region.current
    values = { name = "ap-south-2" }
  }

  assert {
    condition     = [for st in data.aws_iam_policy_document.access_logs[0].statement : st.sid] == ["DenyInsecureTransport", "ElbServiceWritesAccessLogs"]
    error_message = "A region without an ELB account (opened after August 2022) grants the log delivery service principal only."
  }

  assert {
    condition = one([
      for st in data.aws_iam_policy_document.access_logs[0].statement : one(st.principals).identifiers if st.sid == "ElbServiceWritesAccessLogs"
    ]) == toset(["logdelivery.elasticloadbalancing.amazonaws.com"])
    error_message = "The service principal is logdelivery.elasticloadbalancing.amazonaws.com."
  }

  assert {
    condition     = one([for st in data.aws_iam_policy_document.access_logs[0].statement : st.resources if st.sid == "ElbServiceWritesAccessLogs"]) == toset(["arn:aws:s3:::sumapi-test-alb-logs-123456789012/AWSLogs/123456789012/*"])
    error_message = "Without a prefix the logs land under AWSLogs/<account>/ at the bucket's root."
  }
}

run "access_log_prefix_naming_awslogs_is_refused" {
  command = plan

  variables {
    alb_access_logs_prefix = "logs/AWSLogs"
  }

  expect_failures = [var.alb_access_logs_prefix]
}

run "access_log_expiry_of_zero_days_is_refused" {
  command = plan

  variables {
    alb_access_logs_expiration_days = 0
  }

  expect_failures = [var.alb_access_logs_expiration_days]
}

run "https_without_certificate_is_refused" {
  command = plan

  variables {
    enable_https = true
  }

  expect_failures = [aws_lb_listener.http]
}

run "fargate_rejects_impossible_task_size" {
  command = plan

  variables {
    task_size = { cpu = 256, memory = 4096 }
  }

  expect_failures = [var.task_size]
}

# One app process per vCPU of the task, whatever the host shows the process; the caller's
# app_environment cannot start more.
run "the_app_runs_one_worker_per_vcpu_of_the_task" {
  command = plan

  variables {
    task_size                         = { cpu = 4096, memory = 8192 }
    autoscaling_measured_rps_per_task = { "4096" = 100 }
    app_environment                   = { SUMAPI_WORKERS = "64" }
  }

  assert {
    condition     = [for e in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].environment : e.value if e.name == "SUMAPI_WORKERS"] == ["4"]
    error_message = "A 4-vCPU task runs 4 app workers (task cpu / 1024), over app_environment."
  }
}

run "a_task_of_less_than_one_vcpu_runs_one_worker" {
  command = plan

  variables {
    task_size = { cpu = 512, memory = 1024 }
  }

  assert {
    condition     = [for e in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].environment : e.value if e.name == "SUMAPI_WORKERS"] == ["1"]
    error_message = "A 0.5-vCPU task runs one app worker (at least one, rounded up)."
  }
}

# The request-count target: floor(measured rate of this size x headroom x 60) per minute.
run "the_request_target_is_the_measured_capacity_of_the_size_with_headroom" {
  command = plan

  variables {
    task_size                         = { cpu = 1024, memory = 2048 }
    autoscaling_measured_rps_per_task = { "256" = 1, "1024" = 1234.5 }
    autoscaling_headroom              = 0.5
  }

  assert {
    condition     = aws_appautoscaling_policy.this["requests"].target_tracking_scaling_policy_configuration[0].target_value == 37035
    error_message = "1234.5 requests/s x 0.5 x 60 s = 37035 requests per target per minute (floored)."
  }

  assert {
    condition     = aws_appautoscaling_policy.this["requests"].target_tracking_scaling_policy_configuration[0].predefined_metric_specification[0].predefined_metric_type == "ALBRequestCountPerTarget"
    error_message = "The target is the ALB's request count per target."
  }
}

run "the_default_target_is_the_measured_256_cpu_task_with_the_default_headroom" {
  command = plan

  assert {
    condition     = aws_appautoscaling_policy.this["requests"].target_tracking_scaling_policy_configuration[0].target_value == floor(var.autoscaling_measured_rps_per_task["256"] * 0.6 * 60)
    error_message = "The default task size (256) has a measured rate, and the default headroom is 0.6."
  }
}

run "a_task_size_nobody_measured_is_refused" {
  command = plan

  variables {
    task_size = { cpu = 4096, memory = 8192 }
  }

  expect_failures = [aws_appautoscaling_target.this]
}

run "a_headroom_above_the_measured_capacity_is_refused" {
  command = plan

  variables {
    autoscaling_headroom = 1.2
  }

  expect_failures = [var.autoscaling_headroom]
}

run "a_measured_rate_of_zero_is_refused" {
  command = plan

  variables {
    autoscaling_measured_rps_per_task = { "256" = 0 }
  }

  expect_failures = [var.autoscaling_measured_rps_per_task]
}

run "stop_timeout_shorter_than_the_drain_is_refused" {
  command = plan

  variables {
    stop_timeout_seconds = 15
  }

  expect_failures = [aws_ecs_task_definition.this]
}

run "latest_tag_is_refused" {
  command = plan

  variables {
    image_tag = "latest"
  }

  expect_failures = [var.image_tag]
}

run "root_user_is_refused" {
  command = plan

  variables {
    nginx_user = "0:0"
  }

  expect_failures = [var.nginx_user]
}

run "alb_idle_timeout_must_be_below_the_gateway_keepalive" {
  command = plan

  variables {
    alb_idle_timeout_seconds = 65
  }

  expect_failures = [aws_lb.this]
}

run "proxy_read_timeout_must_cover_the_app_shutdown" {
  command = plan

  variables {
    app_shutdown_timeout_seconds = 20
  }

  expect_failures = [aws_ecs_task_definition.this]
}

run "stop_timeout_must_exceed_the_proxy_read_timeout" {
  command = plan

  variables {
    gateway_proxy_read_timeout_seconds = 30
  }

  expect_failures = [aws_ecs_task_definition.this]
}

run "the_rate_limits_reach_nginx_and_the_output_over_any_extra_environment" {
  command = apply

  variables {
    gateway_rate_limits = {
      sum             = { per_second = 7, burst = 3 }
      unauthenticated = { per_second = 1, burst = 0 }
    }
    nginx_environment = { SUM_RATE = "100r/s", HIGH_RATE_CLIENTS = "bench" }
  }

  assert {
    condition = { for e in jsondecode(aws_ecs_task_definition.this.container_definitions)[1].environment : e.name => e.value if contains(["SUM_RATE", "SUM_BURST", "UNAUTH_RATE", "UNAUTH_BURST", "HIGH_RATE_CLIENTS"], e.name) } == {
      SUM_RATE = "7r/s", SUM_BURST = "3", UNAUTH_RATE = "1r/s", UNAUTH_BURST = "0", HIGH_RATE_CLIENTS = "bench"
    }
    error_message = "gateway_rate_limits must set nginx's limits and win over nginx_environment, which keeps its other variables."
  }

  assert {
    condition     = output.gateway_rate_limits == var.gateway_rate_limits
    error_message = "The output the waf unit derives its rules from must be the limits nginx gets."
  }
}

run "a_fractional_rate_is_refused" {
  command = plan

  variables {
    gateway_rate_limits = {
      sum             = { per_second = 2.5, burst = 10 }
      unauthenticated = { per_second = 2, burst = 10 }
    }
  }

  expect_failures = [var.gateway_rate_limits]
}

# Every shared setting is one variable, passed to each container that needs it; the caller's
# extra environment cannot override one of them.
run "shared_settings_reach_both_containers" {
  command = apply

  variables {
    max_body_bytes                     = 12288
    alb_idle_timeout_seconds           = 70
    gateway_keepalive_timeout_seconds  = 75
    gateway_proxy_read_timeout_seconds = 28
    app_drain_seconds                  = 3
    app_shutdown_timeout_seconds       = 20
    app_environment                    = { SUMAPI_MAX_BODY_BYTES = "1048576", EXTRA = "app" }
    nginx_environment                  = { SUMAPI_MAX_BODY_BYTES = "1048576", KEEPALIVE_TIMEOUT_SECONDS = "1", SUM_RATE = "9r/s" }
  }

  assert {
    condition = {
      for e in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].environment : e.name => e.value if contains(["SUMAPI_MAX_BODY_BYTES", "SUMAPI_DRAIN_SECONDS", "SUMAPI_SHUTDOWN_TIMEOUT_SECONDS", "EXTRA"], e.name)
      } == {
      SUMAPI_MAX_BODY_BYTES           = "12288"
      SUMAPI_DRAIN_SECONDS            = "3"
      SUMAPI_SHUTDOWN_TIMEOUT_SECONDS = "20"
      EXTRA                           = "app"
    }
    error_message = "The app gets max_body_bytes and its timeouts from the variables, over any extra environment."
  }

  assert {
    condition = {
      for e in jsondecode(aws_ecs_task_definition.this.container_definitions)[1].environment : e.name => e.value if e.name != "LISTEN_PORT" && e.name != "UPSTREAM"
      } == {
      KEEPALIVE_TIMEOUT_SECONDS  = "75"
      PROXY_READ_TIMEOUT_SECONDS = "28"
      SUMAPI_MAX_BODY_BYTES      = "12288"
      SUM_RATE                   = "5r/s"
      SUM_BURST                  = "10"
      UNAUTH_RATE                = "2r/s"
      UNAUTH_BURST               = "10"
    }
    error_message = "nginx gets the timeouts, the app's body limit and the rate limits (gateway_rate_limits) from the variables, over any extra environment."
  }

  assert {
    condition     = aws_lb.this.idle_timeout == 70
    error_message = "The ALB's idle timeout is alb_idle_timeout_seconds."
  }
}

run "a_body_limit_below_the_apps_bounds_is_refused" {
  command = plan

  variables {
    max_body_bytes = 63
  }

  expect_failures = [var.max_body_bytes]
}

run "a_body_limit_above_the_apps_bounds_is_refused" {
  command = plan

  variables {
    max_body_bytes = 1048577
  }

  expect_failures = [var.max_body_bytes]
}

run "a_fractional_gateway_timeout_is_refused" {
  command = plan

  variables {
    gateway_keepalive_timeout_seconds = 65.5
  }

  expect_failures = [var.gateway_keepalive_timeout_seconds]
}

run "without_a_workspace_the_task_has_no_collector" {
  command = apply

  assert {
    condition     = [for c in jsondecode(aws_ecs_task_definition.this.container_definitions) : c.name] == ["app", "nginx"]
    error_message = "No prometheus input: no third container."
  }

  assert {
    condition     = length(aws_iam_role_policy.task_remote_write) == 0 && length(data.aws_iam_policy_document.task_remote_write) == 0
    error_message = "No prometheus input: the task role stays without any policy."
  }

  assert {
    condition     = toset(keys(aws_cloudwatch_log_group.this)) == toset(["app", "nginx"])
    error_message = "No prometheus input: no collector log group."
  }
}

run "a_workspace_adds_a_non_essential_collector_that_writes_to_it_only" {
  command = apply

  variables {
    prometheus_remote_write_url = "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-0123abcd-0000-0000-0000-000000000000/api/v1/remote_write"
    prometheus_workspace_arn    = "arn:aws:aps:eu-west-1:123456789012:workspace/ws-0123abcd-0000-0000-0000-000000000000"
  }

  assert {
    condition     = [for c in jsondecode(aws_ecs_task_definition.this.container_definitions) : c.name] == ["app", "nginx", "collector"]
    error_message = "The collector is the third container; app and nginx keep their place."
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[2].essential == false
    error_message = "A collector failure must never stop the task: essential = false."
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[2].image == "public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0"
    error_message = "The collector runs the pinned ADOT image."
  }

  assert {
    condition = (
      jsondecode(aws_ecs_task_definition.this.container_definitions)[2].cpu + 0 < 256 &&
      jsondecode(aws_ecs_task_definition.this.container_definitions)[2].memory + 0 < 512
    )
    error_message = "The collector takes a small share of the task (cpu and a hard memory limit)."
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[2].logConfiguration.options["awslogs-group"] == aws_cloudwatch_log_group.this["collector"].name
    error_message = "The collector logs to its own group, which the execution role may write to."
  }

  # The collector's configuration: the app on loopback every 30 s, job sumapi (the rules'
  # selector), remote write signed for aps in the task's region.
  assert {
    condition = yamldecode([
      for e in jsondecode(aws_ecs_task_definition.this.container_definitions)[2].environment : e.value if e.name == "AOT_CONFIG_CONTENT"
    ][0]).receivers.prometheus.config.scrape_configs[0] == { job_name = "sumapi", metrics_path = "/metrics", static_configs = [{ targets = ["127.0.0.1:8000"] }] }
    error_message = "The collector scrapes job sumapi on 127.0.0.1:<app_port>/metrics."
  }

  assert {
    condition = yamldecode([
      for e in jsondecode(aws_ecs_task_definition.this.container_definitions)[2].environment : e.value if e.name == "AOT_CONFIG_CONTENT"
    ][0]).receivers.prometheus.config.global.scrape_interval == "30s"
    error_message = "The default scrape interval is 30 s (the figure docs/cost.md prices)."
  }

  assert {
    condition = yamldecode([
      for e in jsondecode(aws_ecs_task_definition.this.container_definitions)[2].environment : e.value if e.name == "AOT_CONFIG_CONTENT"
    ][0]).exporters.prometheusremotewrite == { endpoint = var.prometheus_remote_write_url, auth = { authenticator = "sigv4auth" } }
    error_message = "The exporter remote-writes to the workspace with SigV4."
  }

  assert {
    condition = yamldecode([
      for e in jsondecode(aws_ecs_task_definition.this.container_definitions)[2].environment : e.value if e.name == "AOT_CONFIG_CONTENT"
    ][0]).extensions.sigv4auth == { region = "eu-west-1", service = "aps" }
    error_message = "Requests are signed for the aps service in the task's region."
  }

  assert {
    condition = (
      length(aws_iam_role_policy.task_remote_write) == 1 &&
      aws_iam_role_policy.task_remote_write[0].role == aws_iam_role.task.id &&
      data.aws_iam_policy_document.task_remote_write[0].statement[0].actions == toset(["aps:RemoteWrite"]) &&
      data.aws_iam_policy_document.task_remote_write[0].statement[0].resources == toset([var.prometheus_workspace_arn])
    )
    error_message = "The task role gets aps:RemoteWrite on that one workspace, nothing else."
  }
}

run "remote_write_url_without_workspace_arn_is_refused" {
  command = plan

  variables {
    prometheus_remote_write_url = "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-0123abcd-0000-0000-0000-000000000000/api/v1/remote_write"
  }

  expect_failures = [aws_ecs_task_definition.this]
}

run "a_collector_larger_than_half_the_task_is_refused" {
  command = plan

  variables {
    prometheus_remote_write_url    = "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-0123abcd-0000-0000-0000-000000000000/api/v1/remote_write"
    prometheus_workspace_arn       = "arn:aws:aps:eu-west-1:123456789012:workspace/ws-0123abcd-0000-0000-0000-000000000000"
    prometheus_collector_resources = { cpu = 64, memory = 384 }
  }

  expect_failures = [aws_ecs_task_definition.this]
}

run "a_remote_write_url_that_is_not_amp_is_refused" {
  command = plan

  variables {
    prometheus_remote_write_url = "http://prometheus.example.com/api/v1/write"
    prometheus_workspace_arn    = "arn:aws:aps:eu-west-1:123456789012:workspace/ws-0123abcd-0000-0000-0000-000000000000"
  }

  expect_failures = [var.prometheus_remote_write_url]
}

run "an_unpinned_collector_image_is_refused" {
  command = plan

  variables {
    prometheus_collector_image = "public.ecr.aws/aws-observability/aws-otel-collector:latest"
  }

  expect_failures = [var.prometheus_collector_image]
}

run "the_commit_label_is_the_image_tag_unless_set" {
  command = plan

  variables {
    image_tag = "0123456789abcdef0123456789abcdef01234567"
  }

  assert {
    condition = {
      for e in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].environment : e.name => e.value if contains(["SUMAPI_COMMIT", "SUMAPI_VERSION"], e.name)
      } == {
      SUMAPI_COMMIT  = "0123456789abcdef0123456789abcdef01234567"
      SUMAPI_VERSION = "0123456789abcdef0123456789abcdef01234567"
    }
    error_message = "The pipeline's image tag (the commit SHA) is the app's SUMAPI_COMMIT, never \"unknown\"."
  }

  assert {
    condition     = output.image_tag == "0123456789abcdef0123456789abcdef01234567"
    error_message = "The running tag is an output: a plan without IMAGE_TAG (make plan) reads it instead of the placeholder."
  }
}

run "the_container_insights_log_group_is_the_modules_and_expires" {
  command = apply

  variables {
    log_retention_days = 30
  }

  assert {
    condition     = aws_cloudwatch_log_group.container_insights[0].name == "/aws/ecs/containerinsights/sumapi-test/performance" && aws_cloudwatch_log_group.container_insights[0].retention_in_days == 30
    error_message = "Container Insights' log group (named as AWS names it) is created by the module with the container logs' retention, so it expires and a destroy removes it."
  }
}

run "without_container_insights_there_is_no_insights_log_group" {
  command = plan

  variables {
    container_insights = false
  }

  assert {
    condition     = length(aws_cloudwatch_log_group.container_insights) == 0 && one(aws_ecs_cluster.this.setting).value == "disabled"
    error_message = "Without Container Insights the module makes no log group for it."
  }
}
