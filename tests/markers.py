"""Pytest plugin registering this project's markers for runs outside its rootdir.

`.ci/run` runs the acceptance suite from ``../shared/acceptance``, where
pytest does not find this project's pyproject.toml; loading this module
(``PYTEST_PLUGINS=tests.markers``) registers the same markers there.
"""

from __future__ import annotations

import pytest

MARKERS = (
    "slow: long-running scale tests (run in CI)",
    "postgres: needs the PostgreSQL server from MUSE_TEST_PG_DSN",
    "browser: needs headless Chromium",
)


def pytest_configure(config: pytest.Config) -> None:
    for line in MARKERS:
        config.addinivalue_line("markers", line)
