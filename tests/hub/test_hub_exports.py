"""``__all__`` of the hub, storage and sync-client modules names what they define."""

from __future__ import annotations

import importlib

import pytest

MODULES = ["muse.core.coord_bus", "muse.core.transport", "muse.core.client.signing",
           "muse.storage", "muse.storage.base", "muse.storage.sqlite", "muse.storage.postgres",
           "muse.hub.app", "muse.hub.auth", "muse.hub.config", "muse.hub.context",
           "muse.hub.errors", "muse.hub.records", "muse.hub.admin", "muse.hub.server",
           "muse.cli.commands.auth", "muse.cli.commands.hub",
           "muse.core.client.live", "muse.storage.live", "muse.hub.live", "muse.hub.lessor",
           "muse.core.vocab.rules", "muse.core.vocab.address", "muse.core.files.fence"]


@pytest.mark.parametrize("name", MODULES)
def test_all_is_honest(name: str) -> None:
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{name} has no __all__"
    assert len(set(exported)) == len(exported)
    missing = [n for n in exported if not hasattr(module, n)]
    assert not missing, f"{name}.__all__ names undefined {missing}"


def test_storage_package_imports_no_driver() -> None:
    import subprocess
    import sys

    probe = ("import sys, muse.storage, muse.core.coord_bus, muse.core.transport, muse.core.client.live;"
             "print(sorted(m for m in ('sqlite3', 'psycopg', 'msgspec', 'http.client', "
             "'cryptography', 'starlette') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         timeout=60, check=True).stdout.strip()
    assert out == "[]"
