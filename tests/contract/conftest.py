"""Backends for the contract suite: the same tests against every engine.

``engine`` is a factory of fresh :class:`~muse.core.coord.coordinator.Coordinator`
instances, each on a repository of its own:

* ``local``    — record files in a new repository directory;
* ``sqlite``   — a real hub process on SQLite, over a real socket;
* ``postgres`` — a real hub process on PostgreSQL (skipped without a server
  unless ``MUSE_REQUIRE_PG=1``).

Every case runs unchanged on every backend; none is marked as a known gap.
"""

from __future__ import annotations

import pathlib
from collections.abc import Callable, Iterator

import pytest

from muse.core.coord.coordinator import Coordinator, LocalCoordinator
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
            from muse.core.client.coordinator_live import LiveCoordinator
            from muse.core.client.hub_client import HubClient

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
