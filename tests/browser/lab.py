"""A private JupyterLab for the browser test and the browser benchmark: 127.0.0.1 only, a random token,
offline settings, config and runtime directories of its own, and stopped (with its kernels) on exit."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class LabDidNotStart(RuntimeError):
    pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _command(root: Path, port: int, token: str) -> list[str]:
    return [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True", "--ServerApp.open_browser=False",
            "--ServerApp.terminals_enabled=False",
            # Offline: no news, no update check, no extension manager querying PyPI.
            "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly", *(["--allow-root"] if os.geteuid() == 0 else [])]


def _wait_until_up(server: subprocess.Popen, base: str, token: str, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            raise LabDidNotStart(f"JupyterLab did not start: {log.read_text()[-2000:]}")
        time.sleep(0.5)


def _stop(server: subprocess.Popen, base: str, token: str) -> None:
    try:  # the server's own shutdown stops its kernels too
        urllib.request.urlopen(urllib.request.Request(f"{base}/api/shutdown?token={token}", method="POST"), timeout=5)
    except OSError:
        pass
    for stop in (None, server.terminate, server.kill):
        if stop is not None:
            stop()
        try:
            server.wait(timeout=20)
            return
        except subprocess.TimeoutExpired:
            continue


@contextmanager
def jupyterlab(root: Path, *, timeout: float = 90) -> Iterator[tuple[str, str]]:
    """Serve ``root`` with JupyterLab; yields (base URL, token).  Kernels import this checkout first."""
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ, MPLBACKEND="Agg", JUPYTER_PLATFORM_DIRS="1",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
               JUPYTER_CONFIG_DIR=str(root / ".jupyter"), JUPYTER_RUNTIME_DIR=str(root / ".runtime"))
    log_path = root / "lab.log"
    base = f"http://127.0.0.1:{port}"
    with log_path.open("w") as log:
        server = subprocess.Popen(_command(root, port, token), cwd=root, env=env, stdout=log,
                                  stderr=subprocess.STDOUT)
        try:
            _wait_until_up(server, base, token, log_path, timeout)
            yield base, token
        finally:
            _stop(server, base, token)
