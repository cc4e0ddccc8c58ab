"""`cxsite serve`: a live preview that follows every edit under the portfolio."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

from .conftest import REPO, TEAM


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return ""


def wait_for(url: str, text: str, seconds: float = 45) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if text in fetch(url):
            return True
        time.sleep(0.5)
    return False


def test_serve_reloads_when_team_yml_changes(portfolio, tmp_path):
    root = portfolio()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "cxsite", "serve", "acme", "everyone", "--projects", str(root),
         "--config", str(REPO / "mkdocs.yml"), "-a", f"127.0.0.1:{port}", "--now", "2026-11-25T12:00:00+00:00"],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        url = f"http://127.0.0.1:{port}/contacts/"
        assert wait_for(url, "Ana Souza"), "the preview never came up"
        (root / "team.yml").write_text(TEAM.replace("Ana Souza", "Ana Souza-Reyes"), encoding="utf-8")
        assert wait_for(url, "Ana Souza-Reyes"), "the preview did not pick up the edit to team.yml"
    finally:
        server.terminate()
        server.wait(timeout=20)
