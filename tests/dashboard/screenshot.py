"""Take the README's dashboard screenshot against a real hub with realistic data.

    python -m tests.dashboard.screenshot docs/dashboard.png [--runs 350]

Starts ``muse hub serve`` on a free loopback port with a fresh SQLite file,
registers an owner, pushes a kernel-shaped swarm (hundreds of runs, conflicts,
tasks in every state), signs in through ``muse hub dashboard-link`` and saves
a full-page PNG from headless Chromium.
"""

from __future__ import annotations

import argparse
import pathlib
import subprocess
import sys
import tempfile
import time
from typing import Any

from tests.dashboard.browser import push_all, start_chromium, wait_for
from tests.dashboard.data import swarm_records

__all__ = ["full_page", "main", "new_repo", "register"]


def full_page(driver: Any, path: pathlib.Path, width: int = 1440) -> None:
    """Resize the window to the whole page, then save a PNG."""
    # The window is taller than its viewport by whatever the browser keeps for itself.
    height, chrome = driver.execute_script(
        "return [document.documentElement.scrollHeight, window.outerHeight - window.innerHeight]")
    driver.set_window_size(width, max(800, min(int(height) + int(chrome) + 16, 8000)))
    time.sleep(0.5)
    path.parent.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(path))


def register(hub_url: str, work: pathlib.Path, handle: str) -> Any:
    """A key pair for *handle* under *work*, registered with the hub."""
    import orjson

    from muse.core.client import signing
    from muse.core.coord_bus import hub_request
    from tests.hub.conftest import Agent

    key_path = work / "keys" / f"{handle}.key"
    signing.write_key_pair(signing.generate_private_key(), key_path)
    agent = Agent(handle, key_path)
    hub_request("POST", hub_url + "/api/v1/identities",
                orjson.dumps({"handle": handle, "public_key": agent.identity.public_key}),
                signing=agent.identity, content_type="application/json")
    return agent


def new_repo(hub_url: str, owner: Any, slug: str, public: bool = False) -> None:
    import orjson

    from muse.core.coord_bus import hub_request

    hub_request("POST", hub_url + "/api/v1/repos",
                orjson.dumps({"owner": owner.handle, "slug": slug, "public": public}),
                signing=owner.identity, content_type="application/json")


def main(argv: list[str] | None = None) -> int:
    from tests.conftest import subprocess_env
    from tests.hub.conftest import HubProcess

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out", type=pathlib.Path)
    p.add_argument("--runs", type=int, default=350)
    p.add_argument("--tasks", type=int, default=160)
    args = p.parse_args(argv)
    work = pathlib.Path(tempfile.mkdtemp(prefix="muse-dash-shot-"))
    hub = HubProcess(work / "hub", str(work / "hub" / "hub.sqlite3"))
    driver = None
    try:
        owner = register(hub.url, work, "kernel-lead")
        slug = "linux"
        new_repo(hub.url, owner, slug)
        records = swarm_records(time.time(), runs=args.runs, tasks=args.tasks, backlog=2500,
                                spread=12)
        cursor = push_all(hub.url, owner.handle, slug, records, owner.identity)
        home = work / "home"
        out = subprocess.run(
            [sys.executable, "-m", "muse", "hub", "dashboard-link", f"{owner.handle}/{slug}",
             "--hub", hub.url, "--handle", owner.handle, "--key", str(owner.key_path), "--json"],
            capture_output=True, text=True, check=True, timeout=120,
            env=subprocess_env(HOME=str(home), MUSE_HOME=str(home / ".muse")))
        import json

        link = json.loads(out.stdout)["url"]
        driver = start_chromium()
        driver.get(link)
        wait_for("the dashboard to show every record", lambda: driver.execute_script(
            "return document.body.dataset.seq") == str(cursor))
        time.sleep(1.0)
        full_page(driver, args.out)
        print(f"saved {args.out} ({len(records)} records, {args.runs} runs)")
        return 0
    finally:
        if driver is not None:
            driver.quit()
        hub.stop()


if __name__ == "__main__":
    raise SystemExit(main())
