"""Headless Chromium for dashboard tests: find it, start it, wait on the page.

Debian's ``chromium`` and ``chromium-driver`` packages, driven by Selenium
with the driver path given explicitly (Selenium Manager would try to download
a browser, and the machine is offline). ``.ci/run`` installs both and sets
``MUSE_REQUIRE_BROWSER=1``: then a missing browser fails the run instead of
skipping the tests.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import tempfile
import time
from collections.abc import Callable
from typing import Any

__all__ = [
    "CHROMIUM_FLAGS",
    "browser_missing",
    "push_all",
    "start_chromium",
    "text_of",
    "wait_for",
]

# Read at import, before the test fixtures scrub MUSE_* from the environment.
REQUIRE_BROWSER = bool(os.environ.get("MUSE_REQUIRE_BROWSER"))

CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)


def _find(names: tuple[str, ...]) -> str | None:
    for name in names:
        found = shutil.which(name) or (f"/usr/bin/{name}" if os.path.exists(f"/usr/bin/{name}") else None)
        if found:
            return found
    return None


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    if _find(("chromium", "chromium-browser")) is None:
        return "chromium is not installed (apt-get install chromium chromium-driver)"
    if _find(("chromedriver",)) is None:
        return "chromedriver is not installed (apt-get install chromium-driver)"
    return None


def start_chromium(width: int = 1440, height: int = 1800,
                   profile: pathlib.Path | None = None) -> Any:
    """A headless Chromium WebDriver with a fresh profile (the caller quits it)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    opts = Options()
    binary = _find(("chromium", "chromium-browser"))
    driver_path = _find(("chromedriver",))
    assert binary and driver_path, browser_missing()
    opts.binary_location = binary
    for flag in CHROMIUM_FLAGS:
        opts.add_argument(flag)
    data_dir = profile or pathlib.Path(tempfile.mkdtemp(prefix="muse-chromium-"))
    opts.add_argument(f"--user-data-dir={data_dir}")
    opts.add_argument(f"--window-size={width},{height}")
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=opts)
    # A loaded 2-core machine can be slow to answer: generous, not tight.
    driver.set_page_load_timeout(120)
    driver.set_script_timeout(60)
    return driver


def wait_for(what: str, probe: Callable[[], Any], timeout: float = 90.0,
             interval: float = 0.25) -> Any:
    """Call *probe* until it returns something truthy; fail naming *what*."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = probe()
        except Exception as exc:
            last_error = exc
            value = None
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}"
                         + (f" (last error: {last_error})" if last_error else ""))


def text_of(driver: Any, css: str) -> str:
    text: str = driver.find_element("css selector", css).text
    return text


def push_all(hub_url: str, owner: str, slug: str, records: list[dict[str, Any]],
             signing: Any) -> int:
    """Push *records* in batches; return the repository's cursor afterwards."""
    import orjson

    from muse.core.coord_bus import MAX_PUSH_BATCH, hub_request

    cursor = 0
    for start in range(0, len(records), MAX_PUSH_BATCH):
        body = orjson.dumps({"records": records[start:start + MAX_PUSH_BATCH]})
        answer = hub_request("POST", f"{hub_url}/api/v1/repos/{owner}/{slug}/coord/records", body,
                             signing=signing, content_type="application/json")
        cursor = int(answer["cursor"])
    return cursor
