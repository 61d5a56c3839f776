"""Hub client for record sync (replaced by the HTTP implementation)."""

from __future__ import annotations

from muse.core.types import JsonDict, MsgpackDict

__all__ = ["JsonDict", "MAX_PUSH_BATCH", "push_to_hub", "pull_from_hub", "_build_url"]

MAX_PUSH_BATCH = 500


def _build_url(hub_url: str, owner: str, slug: str, endpoint: str) -> str:
    return f"{hub_url.rstrip('/')}/api/v1/repos/{owner}/{slug}/{endpoint.lstrip('/')}"


def push_to_hub(hub_url: str, owner: str, slug: str, records: list[JsonDict], signing: object = None) -> MsgpackDict:
    from muse.core.errors import HubUnreachable

    raise HubUnreachable("hub client not available yet")


def pull_from_hub(hub_url: str, owner: str, slug: str, since_id: int = 0, kinds: list[str] | None = None,
                  limit: int = 500, signing: object = None) -> MsgpackDict:
    from muse.core.errors import HubUnreachable

    raise HubUnreachable("hub client not available yet")
