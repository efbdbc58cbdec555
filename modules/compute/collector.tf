# The optional ADOT collector sidecar: scrapes the app and remote-writes to the Prometheus workspace.

locals {
  # ADOT collector (AOT_CONFIG_CONTENT): scrape the app on loopback (the gateway hides
  # /metrics) and remote-write to the workspace, signed with the task role. The job name must
  # stay "sumapi" (monitoring/rules read up{job="sumapi"}). Every task scrapes the same
  # 127.0.0.1 target, so the instance label is replaced by the task ARN (ecs resource
  # detection): without it the tasks would write the same series over each other.
  collector_config = {
    extensions = {
      sigv4auth = { region = data.aws_region.current.name, service = "aps" }
    }
    receivers = {
      prometheus = {
        config = {
          global = {
            scrape_interval = "${var.prometheus_scrape_interval_seconds}s"
            scrape_timeout  = "${min(10, var.prometheus_scrape_interval_seconds)}s"
          }
          scrape_configs = [{
            job_name       = "sumapi"
            metrics_path   = "/metrics"
            static_configs = [{ targets = ["127.0.0.1:${var.app_port}"] }]
          }]
        }
      }
    }
    processors = {
      # Drops data instead of growing past the container's hard limit (then ECS kills it).
      memory_limiter = {
        check_interval  = "1s"
        limit_mib       = floor(var.prometheus_collector_resources.memory * 0.8)
        spike_limit_mib = floor(var.prometheus_collector_resources.memory * 0.2)
      }
      resourcedetection = { detectors = ["ecs"], timeout = "5s", override = false }
      "resource/instance" = {
        attributes = [{ key = "service.instance.id", from_attribute = "aws.ecs.task.arn", action = "upsert" }]
      }
      batch = { timeout = "30s" }
    }
    exporters = {
      prometheusremotewrite = {
        endpoint = var.prometheus_remote_write_url
        auth     = { authenticator = "sigv4auth" }
      }
    }
    service = {
      extensions = ["sigv4auth"]
      pipelines = {
        metrics = {
          receivers  = ["prometheus"]
          processors = ["memory_limiter", "resourcedetection", "resource/instance", "batch"]
          exporters  = ["prometheusremotewrite"]
        }
      }
    }
  }

  # The collector's entry of container_overrides (task_definition.tf).
  collector_container = {
    image = var.prometheus_collector_image
    # Not essential: a collector that crashes or is OOM-killed costs that task's metrics,
    # never the service (ECS does not restart it; the task keeps serving until replaced).
    essential   = false
    cpu         = var.prometheus_collector_resources.cpu
    memory      = var.prometheus_collector_resources.memory
    environment = { AOT_CONFIG_CONTENT = yamlencode(local.collector_config) }
    # Scrapes start once the app answers; failed scrapes before that would read as up == 0.
    dependsOn = [{ containerName = "app", condition = "HEALTHY" }]
    # It serves no request, so it needs no drain-long stop timeout; it runs as its image's
    # user and gets no scratch volume (writable paths are the app's and nginx's inputs).
    user        = null
    mountPoints = null
    stopTimeout = null
  }
}
