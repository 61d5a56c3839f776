"""The summary as JSON: ``GET /api/v1/repos/{owner}/{slug}/dashboard``."""

from __future__ import annotations

from typing import Any

from muse.core.types import JsonDict
from muse.core.vocab import clock
from muse.hub.context import Call, Hub
from muse.hub.dashboard.access import Viewer, authorize
from muse.hub.dashboard.board import Boards, boards_of
from muse.hub.dashboard.filters import Filters, parse_filters
from muse.hub.dashboard.web import call_of, repo_names

__all__ = ["decorate", "summary_json"]


def _summary_for(hub: Hub, boards: Boards, call: Call) -> tuple[Viewer, Filters, JsonDict]:
    owner, slug = repo_names(call)
    viewer = authorize(hub, call, owner, slug)
    filters = parse_filters(call.query)
    summary, _ = boards.board(viewer.repo).summary(hub, filters)
    return viewer, filters, summary


def decorate(summary: JsonDict, viewer: Viewer) -> JsonDict:
    """*summary* with the repository and who is looking (not cached: per viewer)."""
    return {**summary, "repo": {"owner": viewer.repo.owner, "slug": viewer.repo.slug,
                                "public": viewer.repo.public},
            "viewer": {"handle": viewer.handle, "via": viewer.how,
                       "expires_at": clock.format_ts(viewer.expires) if viewer.expires else None}}


async def summary_json(request: Any) -> Any:
    """``GET …/dashboard``: the summary as JSON."""
    import orjson
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import Response

    hub: Hub = request.app.state.hub
    call = call_of(request)
    viewer, _, summary = await run_in_threadpool(_summary_for, hub, boards_of(request.app), call)
    return Response(orjson.dumps(decorate(summary, viewer)), media_type="application/json",
                    headers={"Cache-Control": "no-store"})
