"""The dashboard's URL table.

``GET  /repos/{owner}/{slug}``                          the page (static JS renders it)
``GET  /repos/{owner}/{slug}/session``                  sign-in page: takes the capability
                                                        from the URL fragment
``POST /repos/{owner}/{slug}/session``                  exchange a capability for a cookie
``DELETE /repos/{owner}/{slug}/session``                sign out
``DELETE /api/v1/repos/{owner}/{slug}/dashboard/sessions``  end every sign-in of a handle
                                                        (MSign; ``?handle=`` for admins)
``GET  /api/v1/repos/{owner}/{slug}/dashboard``         JSON summary (filters, pagination)
``GET  /api/v1/repos/{owner}/{slug}/dashboard/events``  SSE: the summary whenever it changes
``GET  /static/{name}``                                 the page's JS and CSS
"""

from __future__ import annotations

from typing import Any

from muse.hub.dashboard.api import summary_json
from muse.hub.dashboard.events import events
from muse.hub.dashboard.pages import page, session_page, static
from muse.hub.dashboard.signin import revoke_sign_ins, session_end, session_start

__all__ = ["API_PATH", "EVENTS_PATH", "PAGE_PATH", "SESSIONS_PATH", "SESSION_PATH", "STATIC_PATH",
           "routes"]

PAGE_PATH = "/repos/{owner}/{slug}"
SESSION_PATH = "/repos/{owner}/{slug}/session"
API_PATH = "/api/v1/repos/{owner}/{slug}/dashboard"
EVENTS_PATH = "/api/v1/repos/{owner}/{slug}/dashboard/events"
SESSIONS_PATH = "/api/v1/repos/{owner}/{slug}/dashboard/sessions"
STATIC_PATH = "/static/{name}"


def routes() -> list[Any]:
    """The dashboard's routes (starlette imported here, not at module import)."""
    from starlette.routing import Route

    from muse.hub.context import endpoint

    return [
        Route(PAGE_PATH, page, methods=["GET"], name="dashboard_page"),
        Route(SESSION_PATH, session_page, methods=["GET"], name="dashboard_session_page"),
        Route(SESSION_PATH, session_start, methods=["POST"], name="dashboard_session_start"),
        Route(SESSION_PATH, session_end, methods=["DELETE"], name="dashboard_session_end"),
        Route(API_PATH, summary_json, methods=["GET"], name="dashboard_summary"),
        Route(EVENTS_PATH, events, methods=["GET"], name="dashboard_events"),
        Route(SESSIONS_PATH, endpoint(revoke_sign_ins), methods=["DELETE"],
              name="dashboard_revoke_sign_ins"),
        Route(STATIC_PATH, static, methods=["GET"], name="static"),
    ]
