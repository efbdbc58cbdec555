# Environment "local": the AWS emulator (moto) started by `make emulator` on 127.0.0.1.
# Everything it holds, including the state bucket, lives in its memory: `make down` wipes it.
#
# Only what identifies the environment and its account lives here; each unit's settings are
# in live/local/<unit>/terragrunt.hcl.
locals {
  environment = "local"
  emulated    = true # the root reads live/local/emulator.hcl (endpoints, fake credentials)
  aws_region  = "us-east-1"
  account_id  = "123456789012" # moto's fixed account

  name         = "sumapi-local"
  state_bucket = "sumapi-local-tfstate" # locks are S3 lock files beside each state object

  tags = {
    Project = "sumapi"
    Owner   = "platform"
  }

  # Account-bound values the units read. The emulator has no certificate, domain or alarm
  # e-mail (compute serves plain HTTP, observability's topic has no subscriber); moto creates
  # the OIDC provider in its own account, so create_oidc_provider keeps its default.
  github_repository = "example-org/sumapi" # the repository whose workflows CI's roles trust
}
