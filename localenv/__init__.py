"""The local environment: what stands in for AWS and the cloud on this machine.

The AWS emulator (moto with its fixes), the container engine and base images, the registry
standing in for ECR, the ECS runner and its load balancer, `make run`'s stack and the
observability stack of `make observe`.
"""
