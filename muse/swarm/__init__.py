"""``muse swarm``: a kernel-shaped agent swarm against a hub, and its load generator.

Modules: :mod:`~muse.swarm.tree` (the source tree), :mod:`~muse.swarm.plan`
(tasks, dependencies, planted overlaps), :mod:`~muse.swarm.client` (a small
asyncio msgpack-over-HTTP/1.1 client), :mod:`~muse.swarm.agent` and
:mod:`~muse.swarm.worker` (agents as coroutines in worker processes),
:mod:`~muse.swarm.metrics` (latencies, claim logs, verification),
:mod:`~muse.swarm.report` (table and JSON) and :mod:`~muse.swarm.runner`
(hub process, workers, progress). Nothing here is imported by other commands.
"""

__all__: list[str] = []
