"""Operator tools: what an operator, or the deploy workflow, runs against an environment.

API keys (keytool), the state bucket check, the image push and the smoke test, and the one way
to read the live tree's units (units). The local stand-ins they may run against live in localenv/.
"""
