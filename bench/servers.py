"""Servers the benchmark starts (gunicorn, nginx) and the load generator (wrk).

Every process is started in its own session and its pid is appended to bench/out/pids, so
that bench/run's trap can stop whatever is left if Python itself dies. `Servers.stop_all`
stops them in reverse order; perf.py calls it in a `finally`.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
PIDS = OUT / "pids"
VENV_BIN = ROOT / ".venv" / "bin"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, timeout: float = 60.0) -> None:
    """Wait until url answers (any HTTP status), or raise."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not answer within {timeout:.0f} s") from None
            time.sleep(0.2)


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """GET url: status, headers (lower-cased names) and body."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return (response.status, {k.lower(): v for k, v in response.headers.items()},
                    response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


@dataclass
class Proc:
    """A started server: its name, process and log file."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        """The pid of the process we started (the gunicorn or nginx master)."""
        return self.popen.pid


class Servers:
    """Starts servers and stops them all, in reverse order."""

    def __init__(self) -> None:
        self.procs: list[Proc] = []
        (OUT / "logs").mkdir(parents=True, exist_ok=True)

    def start(self, name: str, argv: list[str], env: dict[str, str] | None = None,
              cwd: Path = ROOT) -> Proc:
        """Start argv in its own session, output to bench/out/logs/<name>.log."""
        log = OUT / "logs" / f"{name}.log"
        with log.open("wb") as sink:
            popen = subprocess.Popen(argv, cwd=cwd, env=env, stdout=sink,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        with PIDS.open("a") as pids:
            pids.write(f"{popen.pid}\n")
        proc = Proc(name, popen, log)
        self.procs.append(proc)
        return proc

    def gunicorn(self, name: str, app: str, port: int, env: dict[str, str],
                 extra: list[str] | None = None) -> Proc:
        """gunicorn with the repository's gunicorn.conf.py, bound to 127.0.0.1:port."""
        env = {**env, "BIND": f"127.0.0.1:{port}"}
        argv = [str(VENV_BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"),
                *(extra or []), app]
        proc = self.start(name, argv, env)
        try:
            wait_http(f"http://127.0.0.1:{port}/__bench_ready__")
        except RuntimeError:
            raise RuntimeError(f"{name} did not start; see {proc.log}") from None
        return proc

    def stop(self, proc: Proc) -> None:
        """SIGTERM the process group, SIGKILL after 15 s."""
        if proc.popen.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.popen.wait(timeout=5)
            except ProcessLookupError:
                pass
        if proc in self.procs:
            self.procs.remove(proc)

    def stop_all(self) -> None:
        """Stop every server still running, newest first."""
        for proc in reversed(list(self.procs)):
            self.stop(proc)


def children(pid: int) -> list[int]:
    """The child pids of pid (gunicorn's workers)."""
    found: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        match = re.search(r"^PPid:\s+(\d+)", status, re.MULTILINE)
        if match and int(match.group(1)) == pid:
            found.append(int(entry.name))
    return sorted(found)


def memory_kb(pid: int) -> tuple[int, int]:
    """(VmHWM, VmRSS) of a process in kB."""
    status = Path(f"/proc/{pid}/status").read_text()
    hwm = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    rss = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    return (int(hwm.group(1)) if hwm else 0, int(rss.group(1)) if rss else 0)


@dataclass(frozen=True)
class WrkResult:
    """What one wrk run printed."""

    requests_per_s: float
    latency_avg: str
    requests: int
    errors: int  # socket errors plus non-2xx/3xx responses
    transfer_per_s: str

    def line(self) -> str:
        """One line for the report."""
        return (f"{self.requests_per_s:9.0f} req/s  avg latency {self.latency_avg:>8}  "
                f"{self.requests} requests  {self.transfer_per_s}/s  errors {self.errors}")


@dataclass(frozen=True)
class Wrk:
    """wrk settings: threads, connections, seconds."""

    threads: int
    connections: int
    seconds: int

    def describe(self) -> str:
        """The flags, for the report."""
        return f"wrk -t{self.threads} -c{self.connections} -d{self.seconds}s"

    def run(self, url: str, script: Path | None = None, timeout: int = 0) -> WrkResult:
        """Run wrk against url and parse its summary; raises when it printed none."""
        argv = ["wrk", f"-t{self.threads}", f"-c{self.connections}", f"-d{self.seconds}s"]
        if timeout:
            argv.append(f"--timeout={timeout}s")
        if script is not None:
            argv += ["-s", str(script)]
        done = subprocess.run([*argv, url], capture_output=True, text=True,
                              timeout=self.seconds + 60, check=False)
        return parse_wrk(done.stdout + done.stderr)


def parse_wrk(text: str) -> WrkResult:
    """Parse wrk's output."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if rps is None:
        raise RuntimeError(f"wrk printed no summary:\n{text}")
    latency = re.search(r"Latency\s+(\S+)", text)
    total = re.search(r"(\d+) requests in", text)
    transfer = re.search(r"Transfer/sec:\s+(\S+)", text)
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", text))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    errors += int(non2xx.group(1)) if non2xx else 0
    return WrkResult(float(rps.group(1)), latency.group(1) if latency else "?",
                     int(total.group(1)) if total else 0, errors,
                     transfer.group(1) if transfer else "?")


def tool_version(argv: list[str]) -> str:
    """The first line a tool prints about its version."""
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return "not found"
    lines = (done.stdout + done.stderr).strip().splitlines()
    useful = [line for line in lines if "version" in line.lower() or line.startswith("wrk")]
    return (useful or lines or ["?"])[0].strip()
