"""``muse auth``: your Ed25519 identity for a hub.

    muse auth keygen --handle agent-7             # key pair in ~/.muse/keys/ (0600)
    muse auth register --hub URL --handle agent-7 # tell a hub your public key
                       [--invite CODE]            #   (a hub with --registration invite)
    muse auth whoami [--hub URL]                  # which identity is configured

The private key is never printed. Registration is signed by the key being
registered (proof of possession); after that every request is signed with it.
"""

from __future__ import annotations

import argparse
import os
import pathlib
from typing import Any

from muse.cli.args import add_json, dispatch, make_parser
from muse.cli.output import emit
from muse.core.vocab.errors import UsageError, UserError

__all__ = ["add_client_args", "client_root", "default_key_path", "main", "resolve_client"]

_HELP = """usage: {prog} <verb> [args]

Manage the Ed25519 identity that signs your requests to a hub.

verbs:
  keygen     create a key pair (private key file mode 0600, never printed)
  register   register your public key with a hub under a handle
  whoami     show the configured identity (and what a hub says about it)

Configure a repository to use it:  .muse/config.toml
  [hub]
  url = "http://127.0.0.1:8765"
  handle = "agent-7"
  key = "~/.muse/keys/agent-7.key"
"""


def default_key_path(handle: str) -> pathlib.Path:
    from muse.core.files.config import muse_home

    return muse_home() / "keys" / f"{handle}.key"


def client_root() -> pathlib.Path | None:
    """The enclosing repository, if any (config is optional for these commands)."""
    from muse.core.paths import find_root

    return find_root(pathlib.Path.cwd())


def add_client_args(p: argparse.ArgumentParser, hub_required: bool = False) -> None:
    p.add_argument("--hub", dest="hub_url", default=None, required=hub_required,
                   help="hub URL (default: [hub] url in .muse/config.toml or $MUSE_HUB_URL)")
    p.add_argument("--handle", default=None,
                   help="your handle (default: [hub] handle or $MUSE_HANDLE)")
    p.add_argument("--key", default=None,
                   help="private key file (default: [hub] key, else ~/.muse/keys/HANDLE.key)")


def resolve_client(args: argparse.Namespace, need_hub: bool = True,
                   need_identity: bool = True) -> tuple[str | None, Any]:
    """``(hub_url, SigningIdentity | None)`` from flags, then config/environment."""
    from muse.core.files.config import hub_config
    from muse.core.transport import SigningIdentity

    cfg = hub_config(client_root())
    url = args.hub_url or cfg.url
    if need_hub and not url:
        raise UsageError("no hub: pass --hub URL or set [hub] url in .muse/config.toml")
    handle = args.handle or cfg.handle
    if not handle:
        if need_identity:
            raise UsageError("no handle: pass --handle NAME or set [hub] handle")
        return url, None
    from muse.core.coord_bus import check_repo_name

    check_repo_name(handle, "handle")
    key = args.key or (cfg.key if cfg.handle == handle else None) or default_key_path(handle)
    return url, SigningIdentity.load(handle, key)


def _keygen(argv: list[str], prog: str) -> int:
    p = make_parser(prog, "Create an Ed25519 key pair for HANDLE.\n"
                    "The private key is written with mode 0600 and never printed;\n"
                    "the public key goes next to it as HANDLE.pub.")
    p.add_argument("--handle", required=True, help="the name you will sign as")
    p.add_argument("--key", default=None, help="where to write the private key "
                   "(default: ~/.muse/keys/HANDLE.key, or $MUSE_HOME/keys/)")
    add_json(p)
    args = p.parse_args(argv)
    from muse.core.client import signing
    from muse.core.coord_bus import check_repo_name

    handle = check_repo_name(args.handle, "handle")
    path = pathlib.Path(os.path.expanduser(args.key)) if args.key else default_key_path(handle)
    try:
        public = signing.write_key_pair(signing.generate_private_key(), path)
    except FileExistsError:
        raise UserError(f"a key already exists at {path} (remove it first to replace it)") from None
    emit({"handle": handle, "key": str(path), "public_key": public}, args.json_out,
         f"created key pair for {handle}\n  private key: {path} (mode 0600)\n"
         f"  public key:  {public}\nnext: muse auth register --hub URL --handle {handle}")
    return 0


def _register(argv: list[str], prog: str) -> int:
    p = make_parser(prog, "Register your public key with a hub under --handle.\n"
                    "The request is signed by that key, proving you hold it.\n"
                    "Registering again with the same key is harmless.")
    add_client_args(p)
    p.add_argument("--save", action="store_true",
                   help="also write [hub] url/handle/key into this repository's config")
    p.add_argument("--invite", default=None, metavar="CODE",
                   help="invite code, for a hub serving with --registration invite")
    add_json(p)
    args = p.parse_args(argv)
    from muse.core.client.hub_client import HubClient

    url, ident = resolve_client(args)
    assert url is not None and ident is not None
    request: dict[str, str] = {"handle": ident.handle, "public_key": ident.public_key}
    if args.invite:
        request["invite"] = args.invite
    answer = HubClient(url, signing=ident).request(
        "POST", "/api/v1/identities", request, what=f"registration of {ident.handle}",
        user_errors=False)
    created = bool(isinstance(answer, dict) and answer.get("created"))
    saved = None
    if args.save:
        from muse.core.files.config import set_config_value
        from muse.core.paths import require_repo

        root = require_repo()
        set_config_value(root, "hub", "url", url)
        set_config_value(root, "hub", "handle", ident.handle)
        set_config_value(root, "hub", "key", ident.key_path)
        saved = str(root)
    emit({"hub": url, "handle": ident.handle, "public_key": ident.public_key,
          "created": created, "saved_to": saved}, args.json_out,
         f"{'registered' if created else 'already registered'} {ident.handle} at {url}"
         + (f" (saved in {saved}/.muse/config.toml)" if saved else ""))
    return 0


def _whoami(argv: list[str], prog: str) -> int:
    p = make_parser(prog, "Show the configured identity; with a hub, ask it too.")
    add_client_args(p)
    add_json(p)
    args = p.parse_args(argv)
    url, ident = resolve_client(args, need_hub=False)
    assert ident is not None
    out: dict[str, Any] = {"handle": ident.handle, "key": ident.key_path,
                           "public_key": ident.public_key, "hub": url}
    if url:
        from muse.core.client.hub_client import HubClient

        out["hub_says"] = HubClient(url, signing=ident).request(
            "GET", "/api/v1/identities/me", what="whoami", user_errors=False)
    lines = [f"handle:     {ident.handle}", f"key:        {ident.key_path}",
             f"public key: {ident.public_key}"]
    if url:
        known = isinstance(out["hub_says"], dict) and out["hub_says"].get("registered")
        lines.append(f"hub:        {url} ({'registered' if known else 'not registered'})")
    emit(out, args.json_out, "\n".join(lines))
    return 0


_VERBS = {"keygen": _keygen, "register": _register, "whoami": _whoami}


def main(argv: list[str], prog: str) -> int:
    return dispatch(argv, prog, _VERBS, _HELP)
