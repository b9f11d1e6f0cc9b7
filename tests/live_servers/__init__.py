"""Real Label Studio and doccano servers for the live tests: started on 127.0.0.1 from their own
virtualenvs in .cache/servers/ (``make servers``), waited for with a bound, stopped afterwards.
A server that does not come up raises with the tail of its log."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
VENVS = ROOT / ".cache" / "servers"
START_TIMEOUT = 300  # seconds: first start runs the database migrations, slow on a busy machine


class ServerError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    name: str
    url: str
    log: Path
    procs: list[subprocess.Popen] = field(default_factory=list)

    def tail(self, n: int = 60) -> str:
        try:
            return "\n".join(self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-n:])
        except OSError:
            return "(no log)"

    def start(self, cmd: list[str], env: dict, cwd: Path) -> None:
        with open(self.log, "ab") as log:
            self.procs.append(subprocess.Popen(cmd, env={**os.environ, **env}, cwd=cwd, stdout=log,
                                               stderr=subprocess.STDOUT, start_new_session=True))

    def wait(self, path: str, ok=lambda r: r.status_code == 200) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            for p in self.procs:
                if p.poll() is not None:
                    raise ServerError(f"{self.name} exited with {p.returncode} before it answered; its log "
                                      f"({self.log}):\n{self.tail()}")
            try:
                if ok(requests.get(self.url + path, timeout=5)):
                    return
            except requests.RequestException:
                pass
            time.sleep(2)
        raise ServerError(f"{self.name} did not answer {self.url}{path} within {START_TIMEOUT} s; its log "
                          f"({self.log}):\n{self.tail()}")

    def stop(self) -> None:
        for p in self.procs:  # each was started in its own session: its group is its children
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(timeout=10)


def _venv(name: str) -> Path:
    venv = VENVS / name
    if not (venv / ".installed").exists():
        raise ServerError(f"{venv}: not installed; `make servers` (or `make test-servers`) installs it")
    return venv


def start_label_studio(workdir: Path, user: str, password: str, token: str) -> Server:
    venv = _venv("label-studio")
    port = free_port()
    data = workdir / "label-studio"
    data.mkdir(parents=True, exist_ok=True)
    server = Server("Label Studio", f"http://127.0.0.1:{port}", workdir / "label-studio.log")
    env = {"LABEL_STUDIO_BASE_DATA_DIR": str(data), "LABEL_STUDIO_USERNAME": user,
           "LABEL_STUDIO_PASSWORD": password, "LABEL_STUDIO_USER_TOKEN": token,
           "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true", "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "false",
           "HOME": str(data)}
    server.start([str(venv / "bin" / "label-studio"), "start", "--no-browser", "--internal-host", "127.0.0.1",
                  "--port", str(port), "--data-dir", str(data), "--enable-legacy-api-token"], env, data)
    try:
        server.wait("/health")
    except BaseException:
        server.stop()
        raise
    return server


def start_doccano(workdir: Path, user: str, password: str) -> Server:
    venv = _venv("doccano")
    port = free_port()
    home = workdir / "doccano"
    home.mkdir(parents=True, exist_ok=True)
    server = Server("doccano", f"http://127.0.0.1:{port}", workdir / "doccano.log")
    env = {"DOCCANO_HOME": str(home), "HOME": str(home)}
    launcher = str(Path(__file__).with_name("run_doccano.py"))
    python = str(venv / "bin" / "python")
    with open(server.log, "ab") as log:
        init = subprocess.run([python, launcher, "init", user, password], env={**os.environ, **env}, cwd=home,
                              stdout=log, stderr=subprocess.STDOUT, timeout=START_TIMEOUT)
    if init.returncode:
        raise ServerError(f"doccano's database set-up failed ({init.returncode}); its log ({server.log}):\n"
                          f"{server.tail()}")
    server.start([python, launcher, "web", str(port)], env, home)
    server.start([python, launcher, "task"], env, home)  # the queue that runs imports and exports
    try:
        server.wait("/v1/health", ok=lambda r: r.status_code < 500)
    except BaseException:
        server.stop()
        raise
    return server
