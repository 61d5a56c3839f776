"""The dashboard in headless Chromium against a real hub process with real records.

One scenario, in steps, because starting a hub and a browser on a loaded
2-core machine takes seconds: refused without sign-in, sign in through the
link ``muse hub dashboard-link`` prints, check what the page shows against
the hub's JSON, push changes and watch the page follow over SSE without a
reload, check that hostile record text stays text, check that a live claim shows the token the hub gave its holder, and
check that another identity is refused. A screenshot goes to ``artifacts/dashboard.png``.
"""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import REPO_ROOT, subprocess_env
from tests.dashboard.browser import (
    REQUIRE_BROWSER,
    browser_missing,
    push_all,
    start_chromium,
    text_of,
    wait_for,
)
from tests.dashboard.data import bus, swarm_records

_MISSING = browser_missing()
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(_MISSING is not None and not REQUIRE_BROWSER,
                       reason=f"no headless browser: {_MISSING}"),
]

ARTIFACT = REPO_ROOT / "artifacts" / "dashboard.png"


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from tests.hub.conftest import HubProcess

    work = tmp_path_factory.mktemp("dash-hub")
    h = HubProcess(work, str(work / "hub.sqlite3"))
    yield h
    h.stop()


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    if _MISSING is not None:
        pytest.fail(f"MUSE_REQUIRE_BROWSER is set but {_MISSING}")
    d = start_chromium(width=1440, height=1800)
    yield d
    d.quit()


def _link(hub: Any, agent: Any, owner: str, slug: str, home: pathlib.Path, *extra: str) -> str:
    """The real CLI, in a child process: ``muse hub dashboard-link OWNER/SLUG --json``."""
    out = subprocess.run(
        [sys.executable, "-m", "muse", "hub", "dashboard-link", f"{owner}/{slug}", "--hub", hub.url,
         "--handle", agent.handle, "--key", str(agent.key_path), "--json", *extra],
        check=False, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
        env=subprocess_env(HOME=str(home), MUSE_HOME=str(home / ".muse")))
    assert out.returncode == 0, out.stderr
    url: str = json.loads(out.stdout)["url"]
    return url


def _summary(hub: Any, agent: Any, owner: str, slug: str, query: str = "") -> Any:
    from muse.core.coord_bus import hub_request

    return hub_request("GET", f"{hub.url}/api/v1/repos/{owner}/{slug}/dashboard?{query}",
                       signing=agent.identity, content_type="application/json")


def _live(hub: Any, agent: Any, owner: str, slug: str, verb: str, body: dict[str, Any]) -> Any:
    import orjson

    from muse.core.coord_bus import hub_request

    return hub_request("POST", f"{hub.url}/api/v1/repos/{owner}/{slug}/live/{verb}",
                       orjson.dumps(body), signing=agent.identity, content_type="application/json")


def _seq(driver: Any) -> int:
    return int(driver.execute_script("return document.body.dataset.seq || '-1'"))


def _tile(driver: Any, tile_id: str) -> int:
    return int(text_of(driver, f"#{tile_id} .tile-value").replace(",", ""))


def _shot(driver: Any) -> None:
    from tests.dashboard.screenshot import full_page

    full_page(driver, ARTIFACT)


def test_dashboard_in_a_real_browser(hub: Any, driver: Any,
                                     tmp_path: pathlib.Path) -> None:
    from tests.hub.conftest import create_repo, make_agent

    owner = make_agent(hub, tmp_path, "lead")
    stranger = make_agent(hub, tmp_path, "stranger")
    slug = create_repo(hub, owner)
    now = time.time()
    evil = "<img src=x onerror=\"window.__xss=1\">"
    records = swarm_records(now, runs=200, tasks=90, backlog=300, spread=8)
    exp = "2099-12-31T23:59:59+00:00"
    records.append(bus("task", "hostile-task", {
        "task_id": "hostile-task", "description": evil, "priority": 100}, "planner"))
    cursor = push_all(hub.url, owner.handle, slug, records, owner.identity)
    page = f"{hub.url}/repos/{owner.handle}/{slug}"

    # 1. No sign-in: a 401 page and no data (the JSON endpoint refuses too).
    driver.get(page)
    wait_for("the refusal page", lambda: driver.find_element("id", "refusal"))
    assert driver.find_element("id", "refusal").get_attribute("data-status") == "401"
    assert "agent-0" not in driver.page_source
    status = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0]).then(r => done(r.status));",
        f"/api/v1/repos/{owner.handle}/{slug}/dashboard")
    assert status == 401

    # 2. Sign in through the CLI's link: the capability becomes an HttpOnly cookie.
    driver.get(_link(hub, owner, owner.handle, slug, tmp_path / "home"))
    wait_for("the dashboard with every record", lambda: _seq(driver) == cursor)
    assert driver.current_url == page  # the capability left the address bar
    assert driver.execute_script("return document.cookie") == ""  # HttpOnly: not readable
    cookies = driver.get_cookies()
    assert len(cookies) == 1 and cookies[0]["httpOnly"] and cookies[0]["sameSite"] == "Strict"
    wait_for("the live indicator", lambda: text_of(driver, "#live") == "live")

    # 3. What the page shows is what the hub computed.
    data = _summary(hub, owner, owner.handle, slug)
    totals = data["totals"]
    assert _tile(driver, "t-active") == totals["active_reservations"]
    assert _tile(driver, "t-runs") == totals["live_runs"]
    assert _tile(driver, "t-high") == totals["predicted"]["high"] >= 1
    for status_name in ("ready", "blocked", "claimed", "completed", "failed"):
        assert _tile(driver, f"t-{status_name}") == totals["tasks"][status_name], status_name
    assert _tile(driver, "t-records") == len(records)
    # Conflicts are highlighted: high-risk rows first, in red.
    first_conflict = driver.find_element("css selector", "#conflicts tbody tr")
    assert "sev-high" in first_conflict.get_attribute("class")
    assert first_conflict.find_element("css selector", ".badge").text == "high"
    assert driver.find_elements("css selector", "#reservations tr.conflict")
    assert driver.find_elements("css selector", "#files tr.sev-high, #files tr.sev-medium")
    # Tasks by state, with their dependencies; runs with heartbeat age; paged lists.
    assert "claimed" in text_of(driver, "#tab-claimed")
    assert len(driver.find_elements("css selector", "#runs tbody tr")) == 15
    assert "of " + f"{data['runs']['total']:,}" in text_of(driver, "#runs-pager")
    assert "ago" in text_of(driver, "#runs tbody tr")
    assert len(driver.find_elements("css selector", "#throughput rect")) == 60
    # Hostile text is shown as text, never run.
    assert evil in text_of(driver, "#tasks tbody tr")  # priority 100: first in the queue
    assert driver.execute_script("return window.__xss") is None
    _shot(driver)

    # 4. Live: push a conflicting reservation, a delete-vs-modify clash and a
    # task completion; the page follows without reloading.
    driver.execute_script("window.__sameDocument = 'yes'")
    high_before = _tile(driver, "t-high")
    done_before = _tile(driver, "t-completed")
    active_before = _tile(driver, "t-active")
    claimed = _summary(hub, owner, owner.handle, slug, "task_status=claimed&tasks_limit=1")
    task = claimed["tasks"]["items"][0]
    target = "kernel/sched/core.c::schedule"
    change = [
        bus("reservation", "live-a", {"reservation_id": "live-a", "run_id": "live-run-a",
                                      "symbols": [target], "expires_at": exp}, "live-run-a", exp),
        bus("reservation", "live-b", {"reservation_id": "live-b", "run_id": "live-run-b",
                                      "symbols": [target], "expires_at": exp}, "live-run-b", exp),
        bus("intent", "live-a-i", {"intent_id": "live-a-i", "run_id": "live-run-a",
                                   "reservation_id": "live-a", "operation": "delete",
                                   "target": target}, "live-run-a"),
        bus("intent", "live-b-i", {"intent_id": "live-b-i", "run_id": "live-run-b",
                                   "reservation_id": "live-b", "operation": "modify",
                                   "target": target}, "live-run-b"),
        bus("claim", f"{task['task_id']}+{task['token'] + 1}", {
            "task_id": task["task_id"], "claimer_run_id": task["holder"],
            "slot": task["token"] + 1, "status": "completed"}, task["holder"]),
    ]
    new_cursor = push_all(hub.url, owner.handle, slug, change, owner.identity)
    wait_for("the page to show the pushed records", lambda: _seq(driver) == new_cursor)
    assert driver.execute_script("return window.__sameDocument") == "yes"  # no reload
    assert _tile(driver, "t-active") == active_before + 2
    assert _tile(driver, "t-high") == high_before + 1
    assert _tile(driver, "t-completed") == done_before + 1

    # Filters go to the server and the stream follows the new view.
    driver.find_element("css selector", "#conflicts .chip.sev-high").click()
    wait_for("the high-risk filter", lambda: all(
        "sev-high" in (row.get_attribute("class") or "")
        for row in driver.find_elements("css selector", "#conflicts tbody tr")))
    wait_for("the new clash in the list", lambda: any(
        row.get_attribute("data-target") == target
        for row in driver.find_elements("css selector", "#conflicts tbody tr")))
    assert "severity=high" in driver.current_url
    _shot(driver)

    # 5. A live claim: the page shows the fencing token the hub gave its
    # holder (a lease took a number first, so the token is not the slot).
    lease = _live(hub, owner, owner.handle, slug, "reserve",
                  {"run_id": "live-lease", "ttl": 600, "symbols": ["kernel/live.c::lease"]})
    _live(hub, owner, owner.handle, slug, "tasks", {"tasks": [
        {"task_id": "live-task", "priority": 1000, "description": "claimed on the hub"}]})
    claim = _live(hub, owner, owner.handle, slug, "claim",
                  {"run_id": "live-worker", "task_id": "live-task", "ttl": 600})
    assert claim["token"] > lease["token"] >= 1  # the task's slot is 1
    row = "#tasks tr[data-task='live-task']"
    wait_for("the live claim on the page", lambda: text_of(driver, f"{row} td.token"))
    assert text_of(driver, f"{row} td.token") == str(claim["token"])
    assert "live-worker" in text_of(driver, row)
    _shot(driver)

    # 6. Another identity's link to this private repository: 403, no data.
    driver.delete_all_cookies()
    # (--no-check: the CLI would refuse before making the link.)
    driver.get(_link(hub, stranger, owner.handle, slug, tmp_path / "home", "--no-check"))
    wait_for("the sign-in refusal", lambda: "no pull access" in text_of(driver, "#session-status"))
    driver.get(page)
    wait_for("the refusal page", lambda: driver.find_element("id", "refusal"))
    assert driver.find_element("id", "refusal").get_attribute("data-status") == "401"
    assert "live-run" not in driver.page_source
