"""A hub server as a child process: start it, learn its URL, stop it.

Used by ``muse swarm`` (its local hub), the benchmarks and the tests, so
there is one way to wait for ``muse hub listening on …`` and one way to stop.
"""

from __future__ import annotations

import os
import pathlib
import queue
import re
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence

from muse.core.vocab.errors import HubUnreachable

__all__ = ["LISTENING", "HubProcess"]

LISTENING = re.compile(r"muse hub listening on (http://\S+)")


class HubProcess:
    """``python -m muse hub serve --port 0 --db DB …`` running in *workdir*.

    Args:
        workdir: the child's working folder; its stderr goes to ``hub.stderr`` there.
        db: SQLite path or PostgreSQL DSN.
        extra: more ``muse hub serve`` options.
        prefix: a command the hub runs under (``prlimit --nofile=300 --``, say).
        env: the child's environment (default: this process's).
        start_timeout: how long to wait for the listening line.

    Raises:
        HubUnreachable: the hub exited or did not listen in time (its stderr tail named).
    """

    def __init__(self, workdir: pathlib.Path, db: str, *extra: str,
                 env: Mapping[str, str] | None = None, start_timeout: float = 90.0,
                 prefix: Sequence[str] = ()) -> None:
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.stderr_path = workdir / "hub.stderr"
        self._stderr = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(
            [*prefix, sys.executable, "-m", "muse", "hub", "serve", "--port", "0", "--db", db,
             *extra],
            cwd=workdir, env=dict(os.environ if env is None else env), stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=self._stderr)
        self.url = self._wait(start_timeout)

    @property
    def host(self) -> str:
        return self.url.split("://", 1)[1]

    def _wait(self, timeout: float) -> str:
        # A reader thread, so a hub that never prints cannot block us past the deadline.
        lines: queue.Queue[bytes] = queue.Queue()
        out = self.proc.stdout
        assert out is not None

        def pump() -> None:
            for line in iter(out.readline, b""):
                lines.put(line)
            lines.put(b"")

        threading.Thread(target=pump, daemon=True).start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=0.5)
            except queue.Empty:
                continue
            found = LISTENING.search(line.decode(errors="replace"))
            if found:
                return found.group(1)
            if not line:
                break
        self.stop()
        tail = self.stderr_path.read_text(errors="replace").strip().splitlines()[-5:]
        raise HubUnreachable("the hub did not start: " + (" | ".join(tail) or "no output"))

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)
        self._stderr.close()
