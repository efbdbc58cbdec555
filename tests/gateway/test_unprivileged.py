"""nginx needs neither root nor /etc/nginx: everything it writes lives under GATEWAY_RUN_DIR.

The image runs it as uid 101; here the same scripts run as `nobody` (when the tests run as root,
as in CI) with a run directory that is the only place that user may write.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import requests

from tests.gateway.clients import Keys
from tests.harness.gateway import SUM_PATH, Gateway, installed
from tests.harness.loopback import free_port
from tests.harness.processes import Service

NOBODY = 65534


def uid_of(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return int(line.split()[1])
    raise AssertionError("no Uid line")


def test_gateway_runs_unprivileged_in_its_own_run_directory(app: Service, keys: Keys) -> None:
    as_root = os.geteuid() == 0
    setpriv = installed("setpriv", "util-linux") if as_root else ""
    base = Path(tempfile.mkdtemp(prefix="gateway-unprivileged-"))
    try:
        base.chmod(0o755)
        run_dir = base / "run"
        run_dir.mkdir()
        if as_root:
            # nginx opens /dev/stdout by path, so its stdout must belong to the user, as container
            # runtimes arrange (runc hands the stdio pipes to the container user).
            for owned in (run_dir, base / "gateway.stdout", base / "gateway.stderr"):
                owned.touch()
                os.chown(owned, NOBODY, NOBODY)
        run_as = (
            [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"] if as_root else []
        )
        gateway = Gateway(
            run_dir,
            {"API_KEYS": keys.api_keys(), "UPSTREAM": f"127.0.0.1:{app.port}"},
            free_port(),
            run_as=run_as,
        ).start()
        try:
            assert gateway.process is not None
            assert uid_of(gateway.process.popen.pid) == (NOBODY if as_root else os.geteuid())
            response = requests.post(
                gateway.url + SUM_PATH,
                json={"a": 1, "b": 2},
                headers={"X-API-Key": keys.tester},
                timeout=5,
            )
            assert response.status_code == 200
            assert (run_dir / "nginx.pid").exists()
        finally:
            gateway.stop()
    finally:
        shutil.rmtree(base)
