"""Local hub processes on one database, started and cleaned up as one: the swarm's hubs.

:class:`HubSet` starts *count* ``muse hub serve --insecure-dev`` processes on
one database and owns everything they leave behind:

* **SQLite** (a path or ``sqlite:///path``; default ``hub.sqlite3`` in the
  work folder): the file is shared through WAL; writers of different
  processes take turns (``BEGIN IMMEDIATE``, busy timeout), so several hubs
  on one file are safe but decide one write at a time between them.
* **PostgreSQL** (``postgresql://…``): a fresh schema per set
  (``muse_swarm_<hex>``, dropped on :meth:`HubSet.stop` unless *keep*), or a
  given one (created if missing, never dropped). The hubs connect with an
  ``application_name`` of their own, so the set can find its server
  backends in ``pg_stat_activity`` and add up their CPU
  (:meth:`HubSet.backend_cpu`; this machine's ``/proc``, so only when the
  server runs here).

**Maintenance**: a PostgreSQL server with ``autovacuum = off`` (CI machines
often run so) never analyses or vacuums the hubs' tables; their plans then
stay those of empty tables and dead rows pile up, and the swarm stalls within
a minute (a 1,000-agent run: 0 tasks in 60 s, then 300 in the 10 s after one
manual ``VACUUM ANALYZE``). :meth:`HubSet.maintain` stands in for it: when
the server's autovacuum is off it applies autovacuum's default thresholds to
the set's schema now and then every *every* seconds, from a thread and a
connection of its own (not counted as the hubs' backends), and counts what it
did for the report. With autovacuum on it does nothing.

Every hub is started from the calling thread under ``setpriv --pdeathsig
TERM`` when available, so a hub never outlives a runner killed outright;
:meth:`HubSet.stop` (idempotent, also after a failed or interrupted start)
stops the hubs, then drops the schema it made.
"""

from __future__ import annotations

import os
import pathlib
import re
import shutil
import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from muse.core.vocab.errors import UsageError, UserError
from muse.hub.process import HubProcess
from muse.swarm.metrics import cpu_seconds, vm_hwm_kib

__all__ = ["HubSet", "SwarmHub", "describe_db", "is_postgres"]

_PG_PREFIXES = ("postgresql://", "postgres://")
_SCHEMA = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_REQUESTS = re.compile(r'^muse_hub_requests_total\{[^}]*status="(\d+)"[^}]*\}\s+(\d+)', re.M)


def is_postgres(db: str | None) -> bool:
    return bool(db) and str(db).startswith(_PG_PREFIXES)


def describe_db(db: str) -> str:
    """*db* with any password masked (and no query string), for reports and errors."""
    if not is_postgres(db):
        return db
    parts = urlsplit(db)
    netloc = parts.netloc
    if parts.password:
        netloc = netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _with_app_name(dsn: str, app: str) -> str:
    parts = urlsplit(dsn)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k != "application_name"]
    query.append(("application_name", app))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise UserError("a PostgreSQL --db needs psycopg: pip install 'muse-coord[postgres]'") from None
    return psycopg


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300] or type(exc).__name__


class SwarmHub(HubProcess):
    """A hub process that is stopped when its start fails or is interrupted, and
    (where ``setpriv`` exists) killed by the kernel if its parent dies."""

    def __init__(self, workdir: pathlib.Path, db: str, *extra: str,
                 env: dict[str, str] | None = None, start_timeout: float = 90.0) -> None:
        setpriv = shutil.which("setpriv")
        prefix = (setpriv, "--pdeathsig", "TERM", "--") if setpriv else ()
        super().__init__(workdir, db, *extra, env=env, start_timeout=start_timeout, prefix=prefix)

    def _wait(self, timeout: float) -> str:
        try:
            return super()._wait(timeout)
        except BaseException:  # Ctrl-C or SIGTERM while waiting: no orphan hub
            self.stop()
            raise

    def stop(self) -> None:
        if not self._stderr.closed or self.proc.poll() is None:
            super().stop()

    def peak_kib(self) -> int | None:
        return vm_hwm_kib(self.proc.pid)

    def cpu_s(self) -> float | None:
        return cpu_seconds(self.proc.pid)

    def requests_served(self, timeout: float = 30.0) -> tuple[int, int] | None:
        """(API requests this hub answered, of which 5xx) from its ``/metrics``; None if unknown."""
        try:
            with urllib.request.urlopen(self.url + "/metrics", timeout=timeout) as resp:
                text = resp.read().decode("utf-8", "replace")
        except (OSError, urllib.error.URLError, ValueError):
            return None
        total = errors = 0
        for status, n in _REQUESTS.findall(text):
            total += int(n)
            errors += int(n) if int(status) >= 500 else 0
        return total, errors


class HubSet:
    """*count* local hubs on the database *db* (None: an SQLite file in *workdir*).

    Args:
        workdir: the hubs' working folders go under it (``hub0/``, ``hub1/``…, each
            with its ``hub.stderr``).
        db: SQLite path / ``sqlite:///path``, or a ``postgresql://`` DSN.
        count: hub processes.
        schema: PostgreSQL schema to use as it is (None: a fresh one, dropped at stop).
        keep: keep the fresh schema at stop.
        extra: more ``muse hub serve`` options for every hub.

    Nothing starts before :meth:`start`; call :meth:`stop` in a ``finally`` either way.
    """

    def __init__(self, workdir: pathlib.Path, db: str | None = None, count: int = 1, *,
                 schema: str | None = None, keep: bool = False,
                 extra: Sequence[str] = ()) -> None:
        if count < 1:
            raise UsageError("--hubs must be at least 1")
        self.workdir = workdir
        self.count = count
        self.keep = keep
        self.postgres = is_postgres(db)
        self.hubs: list[SwarmHub] = []
        self.extra = list(extra)
        tag = uuid.uuid4().hex[:8]
        self.app = f"muse_swarm_{tag}"
        self._backends: dict[int, float] = {}
        self._monitor: Any = None
        self._made_schema = False
        self._maint_stop = threading.Event()
        self._maint_thread: threading.Thread | None = None
        self._maint_conn: Any = None
        self.maintenance: dict[str, Any] | None = None
        if self.postgres:
            assert db is not None
            if schema is not None and not _SCHEMA.fullmatch(schema):
                raise UsageError(f"invalid PostgreSQL schema name {schema!r} "
                                 "(lower-case letters, digits, _)")
            self.dsn: str = db
            self.schema: str | None = schema or f"muse_swarm_{tag}"
            self.fresh = schema is None
            self.hub_db = _with_app_name(db, self.app)
        else:
            if schema is not None:
                raise UsageError("--pg-schema needs a postgresql:// --db")
            self.dsn = db or str(workdir / "hub.sqlite3")
            self.schema = None
            self.fresh = False
            self.hub_db = self.dsn

    @property
    def backend(self) -> str:
        return "postgresql" if self.postgres else "sqlite"

    @property
    def urls(self) -> list[str]:
        return [h.url for h in self.hubs]

    def describe(self) -> str:
        """The database in one phrase: ``postgresql://u@h:5432/db, schema s`` or the file."""
        text = describe_db(self.dsn)
        return f"{text}, schema {self.schema}" if self.schema else text

    def start(self, start_timeout: float = 90.0) -> None:
        """Start the hubs one after the other and wait until each listens.

        Raises:
            UserError: PostgreSQL missing, unreachable or refusing; psycopg not installed.
            HubUnreachable: a hub did not start (its stderr tail named).
        """
        extra = ["--insecure-dev", *self.extra]
        if self.postgres:
            psycopg = _psycopg()
            try:
                self._monitor = psycopg.connect(self.dsn, autocommit=True, connect_timeout=10)
            except Exception as exc:
                raise UserError(f"cannot reach PostgreSQL at {describe_db(self.dsn)}: "
                                f"{_one_line(exc)}") from None
            assert self.schema is not None
            if self.fresh:
                exists = self._monitor.execute(
                    "SELECT 1 FROM pg_namespace WHERE nspname = %s", (self.schema,)).fetchone()
                if exists:
                    raise UserError(f"schema {self.schema} already exists")  # a one-in-4e9 clash
                self._made_schema = True  # the first hub creates it; drop it whatever happens next
            extra += ["--pg-schema", self.schema]
        env = {k: v for k, v in os.environ.items() if not k.startswith("MUSE_HUB_")}
        for i in range(self.count):
            self.hubs.append(SwarmHub(self.workdir / f"hub{i}", self.hub_db, *extra, env=env,
                                      start_timeout=start_timeout))

    def dead(self) -> list[int]:
        """Indexes of hubs that exited."""
        return [i for i, h in enumerate(self.hubs) if not h.alive()]

    def cpu_s(self) -> list[float | None]:
        return [h.cpu_s() for h in self.hubs]

    def peak_kib(self) -> list[int | None]:
        return [h.peak_kib() for h in self.hubs]

    def requests_served(self) -> list[tuple[int, int] | None]:
        return [h.requests_served() for h in self.hubs]

    def backend_cpu(self) -> float | None:
        """CPU seconds used so far by the PostgreSQL backends of these hubs (None on SQLite,
        or when the server is not on this machine). Sample it now and then: a backend the
        pool closed keeps the last figure read."""
        if self._monitor is None:
            return None
        try:
            rows = self._monitor.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = %s",
                (self.app,)).fetchall()
        except Exception:
            return self._total_backend_cpu()
        for (pid,) in rows:
            cpu = cpu_seconds(int(pid))
            if cpu is not None:
                self._backends[int(pid)] = max(cpu, self._backends.get(int(pid), 0.0))
        return self._total_backend_cpu()

    def _total_backend_cpu(self) -> float | None:
        return round(sum(self._backends.values()), 2) if self._backends else None

    def maintain(self, every: float = 15.0) -> dict[str, Any] | None:
        """Stand in for the server's autovacuum when it is off (see the module's doc).

        Now it analyses every table; then every *every* seconds it applies autovacuum's default rules
        to the tables of the set's schema, from ``pg_stat_user_tables``: ``VACUUM``
        a table with more than 50 + 20 % dead rows (or 1,000 + 20 % rows inserted
        since its last vacuum), ``ANALYZE`` one with more than 50 + 10 % rows
        changed since its last analysis. Returns the figures the report shows
        (None: the server's autovacuum is on, nothing to do)."""
        if self._monitor is None or self.schema is None or self._maint_thread is not None:
            return self.maintenance
        try:
            setting = self._monitor.execute("SHOW autovacuum").fetchone()[0]
        except Exception:
            return None
        if setting == "on":
            return None
        self.maintenance = {"autovacuum": setting, "every_s": every, "checks": 0,
                            "vacuums": 0, "analyzes": 0, "seconds": 0.0, "errors": 0}
        import time

        try:
            conn = _psycopg().connect(_with_app_name(self.dsn, self.app + "_vacuum"),
                                      autocommit=True, connect_timeout=10)
        except Exception:
            self.maintenance["errors"] += 1
            return self.maintenance
        self._maint_conn = conn
        quoted = f'"{self.schema}"'

        def one_pass(analyze_all: bool = False) -> None:
            m = self.maintenance
            assert m is not None
            started = time.monotonic()
            try:
                rows = conn.execute(
                    "SELECT relname, n_live_tup > 0 AND (n_dead_tup > 50 + 0.2 * n_live_tup"
                    " OR n_ins_since_vacuum > 1000 + 0.2 * n_live_tup),"
                    " n_mod_since_analyze > 50 + 0.1 * n_live_tup"
                    " FROM pg_stat_user_tables WHERE schemaname = %s ORDER BY relname",
                    (self.schema,)).fetchall()
                for table, vacuum, analyze in rows:
                    analyze = analyze or analyze_all
                    if vacuum or analyze:
                        what = "VACUUM (ANALYZE)" if vacuum and analyze else (
                            "VACUUM" if vacuum else "ANALYZE")
                        conn.execute(f'{what} {quoted}."{table}"')
                        m["vacuums"] += 1 if vacuum else 0
                        m["analyzes"] += 1 if analyze else 0
                m["checks"] += 1
            except Exception:
                m["errors"] += 1
            m["seconds"] = round(m["seconds"] + time.monotonic() - started, 2)

        # First, ANALYZE everything: the caller just filled the queue, and the
        # statistics system may not have heard of those writes yet.
        one_pass(analyze_all=True)

        def loop() -> None:
            try:
                while not self._maint_stop.wait(every):
                    one_pass()
            finally:
                conn.close()

        self._maint_thread = threading.Thread(target=loop, name="muse-swarm-vacuum", daemon=True)
        self._maint_thread.start()
        return self.maintenance

    def stop(self) -> list[str]:
        """Stop every hub, then drop the schema this set made (unless *keep*).
        Idempotent. Returns what could not be cleaned up, in words."""
        left: list[str] = []
        self._maint_stop.set()
        if self._maint_thread is not None:
            if self._maint_thread.is_alive() and self._maint_conn is not None:
                try:
                    self._maint_conn.cancel()  # a VACUUM in progress stops at once
                except Exception:
                    pass
            self._maint_thread.join(timeout=30)
        for h in self.hubs:
            h.stop()
        if self._monitor is not None and self._made_schema and not self.keep:
            for attempt in (1, 2):
                try:
                    self._monitor.execute("SET lock_timeout = '20s'")
                    self._monitor.execute(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')
                    self._made_schema = False
                    break
                except Exception as exc:
                    if attempt == 2:
                        left.append(f"schema {self.schema} not dropped: {_one_line(exc)}")
                        break
                    # A backend of ours still holds a lock (its hub is gone, but a
                    # backend waiting on a lock does not notice): end ours, retry.
                    try:
                        self._monitor.execute(
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                            " WHERE application_name IN (%s, %s)", (self.app, self.app + "_vacuum"))
                    except Exception:
                        pass
        if self._monitor is not None:
            try:
                self._monitor.close()
            except Exception:
                pass
            self._monitor = None
        return left
