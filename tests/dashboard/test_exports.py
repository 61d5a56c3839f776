"""``__all__`` of the dashboard modules names what they define; the CLI verb stays cheap."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from tests.conftest import subprocess_env

DASHBOARD_MODULES = ["muse.hub.dashboard", *(
    f"muse.hub.dashboard.{m}" for m in ("access", "api", "board", "capability", "digest", "events",
                                        "filters", "pages", "routes", "sessions", "signin", "streams", "summary",
                                        "web"))]


@pytest.mark.parametrize("name", [*DASHBOARD_MODULES, "muse.core.coord.snapshot",
                                  "muse.cli.commands.hub_dashboard"])
def test_all_is_honest(name: str) -> None:
    module = importlib.import_module(name)
    exported = module.__all__
    assert len(set(exported)) == len(exported)
    assert not [n for n in exported if not hasattr(module, n)]


def test_dashboard_routes_are_mounted() -> None:
    from muse.hub.app import ROUTE_MODULES

    assert "muse.hub.dashboard" in ROUTE_MODULES


def test_importing_the_dashboard_loads_no_server() -> None:
    probe = (f"import sys, {', '.join(DASHBOARD_MODULES)}, muse.cli.commands.hub;"
             "print(sorted(m for m in ('starlette', 'uvicorn', 'sqlite3', 'cryptography') "
             "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         timeout=60, check=True, env=subprocess_env()).stdout.strip()
    assert out == "[]"
