"""Live ``status``: a page of leases from the live tables vs. the record-log view.

Fills a hub repository (a real hub process on loopback, SQLite) with N live
reservations, then times, interleaved in the same run:

* ``page``  — ``LiveCoordinator.status(limit=20, cursor="")``: the page read
  from ``live_reservations`` by primary key (what live status does now);
* ``log``   — the same page computed by the local view over the hub's whole
  record log (what live status did for ``--cursor``, and still does for
  ``--path``): the baseline;
* ``counts`` — ``GET live/status?limit=20`` without a cursor: the same
  counts and conflicts without the page (the page's cost is page − counts).

    python bench/bench_status_page.py --leases 500 2000 --rounds 7
"""

from __future__ import annotations

import argparse
import pathlib
import statistics
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--leases", type=int, nargs="+", default=[500, 2000])
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args()

    from muse.core.client.coordinator_live import LiveCoordinator
    from muse.core.client.hub_client import HubClient
    from tests.hub.conftest import create_repo, make_agent, running_hub

    with tempfile.TemporaryDirectory() as tmp, running_hub(pathlib.Path(tmp), "sqlite") as hub:
        for n in args.leases:
            owner = make_agent(hub, pathlib.Path(tmp), "owner")
            client = HubClient(hub.url, owner.handle, create_repo(hub, owner), owner.identity)
            coord = LiveCoordinator(client)
            for i in range(n):
                client.reserve(f"run-{i % 50}", [f"src/m{i}.c::f"], ttl=3600)
            times: dict[str, list[float]] = {"counts": [], "page": [], "log": []}
            calls = {"counts": lambda: client.status(limit=20),
                     "page": lambda: coord.status(limit=20, cursor=""),
                     "log": lambda: coord._status_under("", None, None, 20, "")}
            first = [r["reservation_id"] for r in calls["page"]().iter_reservations()]
            assert first == [r["reservation_id"] for r in calls["log"]().iter_reservations()]
            for _ in range(args.rounds):
                for name, fn in calls.items():  # interleaved
                    t0 = time.perf_counter()
                    fn()
                    times[name].append((time.perf_counter() - t0) * 1000)
            med = {k: statistics.median(v) for k, v in times.items()}
            print(f"{n:>6} leases: " + "  ".join(
                f"{k} {med[k]:.1f} ms (min {min(v):.1f}, max {max(v):.1f})"
                for k, v in times.items()) + f"  log/page {med['log'] / med['page']:.1f}x")


if __name__ == "__main__":
    main()
