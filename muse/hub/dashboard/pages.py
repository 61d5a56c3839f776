"""The HTML the hub serves: the page shell, the sign-in page, refusals, static files.

The page is a shell: ``dashboard.js`` fetches the summary and renders it with
``textContent`` only, so record text never becomes markup.
"""

from __future__ import annotations

import html
import re
from importlib import resources
from typing import Any

from muse.core.vocab.errors import MuseError, NotFound
from muse.hub.context import Hub
from muse.hub.dashboard.access import authorize
from muse.hub.dashboard.web import SECURITY_HEADERS, call_of, repo_names
from muse.hub.errors import HubRefusal

__all__ = ["page", "refusal_page", "session_page", "static"]

_STATIC_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
                 ".png": "image/png", ".svg": "image/svg+xml"}
_STATIC_NAME = re.compile(r"[a-z0-9_-]+\.(js|css|png|svg)")


def _html(title: str, body: str, status: int = 200, extra_head: str = "") -> Any:
    from starlette.responses import HTMLResponse

    doc = ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
           f"<title>{html.escape(title)}</title>"
           "<link rel=\"stylesheet\" href=\"/static/dashboard.css\">"
           f"{extra_head}</head><body>{body}</body></html>\n")
    return HTMLResponse(doc, status_code=status, headers=SECURITY_HEADERS)


def refusal_page(exc: MuseError, owner: str, slug: str) -> Any:
    """A 401/403/404 page that says how to sign in, and shows no data."""
    status = exc.http_status
    title = {401: "Sign in needed", 403: "No access", 404: "Not found"}.get(status, "Error")
    repo = html.escape(f"{owner[:100]}/{slug[:100]}")
    hint = ""
    if status in (401, 403):
        hint = ("<p>Make a sign-in link with your key and open it in this browser:</p>"
                f"<pre>muse hub dashboard-link {repo}</pre>")
    body = (f"<main class=\"refusal\" id=\"refusal\" data-status=\"{status}\">"
            f"<h1>{html.escape(title)}</h1><p>{html.escape(exc.message)}</p>{hint}</main>")
    return _html(f"{title} · {owner[:100]}/{slug[:100]}", body, status)


async def page(request: Any) -> Any:
    """The dashboard page: a shell; the script fetches and renders the data."""
    from starlette.concurrency import run_in_threadpool

    hub: Hub = request.app.state.hub
    call = call_of(request)
    owner, slug = repo_names(call)
    try:
        viewer = await run_in_threadpool(authorize, hub, call, owner, slug)
    except (HubRefusal, NotFound) as exc:
        return refusal_page(exc, owner, slug)
    repo = html.escape(f"{owner}/{slug}")
    who = html.escape(viewer.handle or ("open hub" if viewer.how == "insecure-dev" else "public"))
    body = (f"<div id=\"app\" data-repo=\"{repo}\" data-viewer=\"{who}\" "
            f"data-signed-in=\"{'1' if viewer.how == 'cookie' else '0'}\"></div>"
            "<noscript>The dashboard needs JavaScript.</noscript>")
    return _html(f"{owner}/{slug} · Muse Coord", body,
                 extra_head="<script src=\"/static/dashboard.js\" defer></script>")


async def session_page(request: Any) -> Any:
    """Sign-in page: its script posts the capability from the URL fragment."""
    call = call_of(request)
    owner, slug = repo_names(call)
    repo = html.escape(f"{owner[:100]}/{slug[:100]}")
    body = (f"<main class=\"refusal\" id=\"session\" data-repo=\"{repo}\">"
            f"<h1>Signing in to {repo}…</h1><p id=\"session-status\"></p></main>")
    return _html("Signing in · Muse Coord", body,
                 extra_head="<script src=\"/static/session.js\" defer></script>")


def _static_files() -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    folder = resources.files("muse.hub") / "static"
    if folder.is_dir():
        for entry in folder.iterdir():
            if _STATIC_NAME.fullmatch(entry.name):
                out[entry.name] = entry.read_bytes()
    return out


_static_cache: dict[str, bytes] | None = None


async def static(request: Any) -> Any:
    """The page's own scripts and styles (nothing from a CDN: hubs may be offline)."""
    from starlette.responses import Response

    global _static_cache
    if _static_cache is None:
        _static_cache = _static_files()
    name = request.path_params["name"]
    data = _static_cache.get(name)
    if data is None:
        raise NotFound(f"no static file {name[:100]!r}")
    suffix = name[name.rindex("."):]
    return Response(data, media_type=_STATIC_TYPES[suffix],
                    headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"})
