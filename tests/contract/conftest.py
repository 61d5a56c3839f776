"""Backends for the contract suite: the same tests against every engine.

``engine`` is a factory of fresh :class:`~muse.core.coordinator.Coordinator`
instances, each on a repository of its own:

* ``local``    — record files in a new repository directory;
* ``sqlite``   — a real hub process on SQLite, over a real socket;
* ``postgres`` — a real hub process on PostgreSQL (skipped without a server
  unless ``MUSE_REQUIRE_PG=1``).

A case one engine cannot answer yet is marked with :func:`only_local` (the
hub backends) or :func:`local_gap` (the record files): ``xfail(strict)`` on
those backends only, so it turns red (XPASS) the day the engine learns it and
must be unmarked.
"""

from __future__ import annotations

import pathlib
from collections.abc import Callable, Iterator

import pytest

from muse.core.coordinator import Coordinator, LocalCoordinator
from tests.hub.conftest import HubProcess, create_repo, make_agent, running_hub

Engine = Callable[[], Coordinator]


@pytest.fixture(scope="module",
                params=["local", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def hub(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess | None]:
    if backend == "local":
        yield None
        return
    with running_hub(tmp_path_factory.mktemp(f"contract-{backend}"), backend) as h:
        yield h


@pytest.fixture
def engine(backend: str, hub: HubProcess | None,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """Call it for a Coordinator on a fresh repository of this backend."""
    made: list[Coordinator] = []
    keys = tmp_path_factory.mktemp("keys")

    def fresh() -> Coordinator:
        if hub is None:
            from muse.cli.commands.init import init_repo

            root = pathlib.Path(tmp_path_factory.mktemp("repo"))
            init_repo(root)
            coord: Coordinator = LocalCoordinator(root)
        else:
            from muse.core.coordinator_live import LiveCoordinator
            from muse.core.hub_client import HubClient

            owner = make_agent(hub, keys, "owner")
            slug = create_repo(hub, owner)
            coord = LiveCoordinator(HubClient(hub.url, owner.handle, slug, owner.identity))
        made.append(coord)
        return coord

    yield fresh
    for c in made:
        c.close()


@pytest.fixture
def coord(engine: Engine) -> Coordinator:
    return engine()


def only_local(request: pytest.FixtureRequest, backend: str, reason: str) -> None:
    """Expect the live backends to fail this case (a documented gap of the hub)."""
    if backend != "local":
        request.applymarker(pytest.mark.xfail(strict=True, reason=reason))


def local_gap(request: pytest.FixtureRequest, backend: str, reason: str) -> None:
    """Expect the local engine to fail this case (a known gap of the record engine)."""
    if backend == "local":
        request.applymarker(pytest.mark.xfail(strict=True, reason=reason))
