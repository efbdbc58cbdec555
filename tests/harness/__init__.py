"""The one harness for every suite that starts something: ports, processes, gateway, emulator.

- `loopback`: a free port; an HTTP status, and waiting for one (never a bare TCP connect).
- `processes`: a child process with a minimal environment and its output in files, stopped with
  a signal then killed; the service (`python -m sumapi`) as such a process.
- `logs`: the JSON log lines a process wrote.
- `gateway`: the nginx gateway (renderer, `nginx -t`, the running gateway).
- `emulator`: a private AWS emulator on a free port, the make targets of the live tree pointed at
  it, boto3 clients and the Terraform state; what a suite deploys on it.
- `workflow`: .github/workflows/deploy.yml run job by job (in `needs` order, each in its GitHub
  environment) and step by step.
- `plugin`: the fixtures several suites share (registered by tests/conftest.py).
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
