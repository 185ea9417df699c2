"""Ralph's LRS (PyPI ``ralph-malph``) with its file-system backend, run as a local server on loopback
(not named ``ralph.py``: the server's app directory is this folder, where that name would hide the package).

Used by the real-LRS test (tests/lrs/test_ralph.py) and by ``make bench`` (forwarding throughput),
so both measure against the same server, started the same way.
"""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

USERNAME, PASSWORD = "kyky", "ralph-test-secret"


class Ralph:
    """Ralph's LRS in a subprocess on loopback; its statements in one JSON Lines file under ``folder``."""

    def __init__(self, folder):
        import bcrypt  # Ralph's own dependency: imported here, so that a missing Ralph is a skip, not an error

        self.folder = folder
        (folder / "store").mkdir()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        auth = [
            {
                "agent": {"account": {"homePage": "http://testserver", "name": "lrs-client"}, "objectType": "Agent"},
                "scopes": ["all"],
                "username": USERNAME,
                "hash": bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(4)).decode(),
            }
        ]
        (folder / "auth.json").write_text(json.dumps(auth))
        self.env = {
            **os.environ,
            "RALPH_APP_DIR": str(folder / "app"),
            "RALPH_AUTH_FILE": str(folder / "auth.json"),
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(folder / "store"),
            "RALPH_RUNSERVER_AUTH_BACKENDS": "basic",
        }
        self.process = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/xAPI"

    def start(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "ralph_app:app", "--app-dir", str(Path(__file__).parent)]
            + ["--host", "127.0.0.1", "--port", str(self.port)],
            env=self.env,
            cwd=self.folder,
            stdout=subprocess.DEVNULL,
            stderr=self._log(),
        )
        for _ in range(300):  # until it answers (bounded: about 30 s at most)
            if self.process.poll() is not None:
                raise AssertionError("Ralph did not start:\n" + (self.folder / "ralph.log").read_text())
            try:
                requests.get(f"http://127.0.0.1:{self.port}/__lbheartbeat__", timeout=0.5)
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise AssertionError("Ralph did not answer")

    def _log(self):
        self.log = (self.folder / "ralph.log").open("ab")
        return self.log

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        if self.process is not None:
            self.log.close()
        self.process = None

    def stored(self) -> list[dict]:
        """Every statement Ralph has written, in order, straight from its file."""
        path = self.folder / "store" / "fs_lrs.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
