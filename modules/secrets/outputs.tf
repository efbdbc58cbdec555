output "secret_arn" {
  description = "ARN of the Secrets Manager secret holding the API keys (value written out of band by the key tool)."
  value       = aws_secretsmanager_secret.this.arn
}

output "secret_name" {
  description = "Name of the Secrets Manager secret holding the API keys."
  value       = aws_secretsmanager_secret.this.name
}

output "kms_key_arn" {
  description = "ARN of the customer managed KMS key encrypting the secret."
  value       = aws_kms_key.this.arn
}

output "kms_key_id" {
  description = "ID of the customer managed KMS key encrypting the secret."
  value       = aws_kms_key.this.key_id
}

output "kms_alias_name" {
  description = "Alias of the KMS key (alias/<name>)."
  value       = aws_kms_alias.this.name
}
