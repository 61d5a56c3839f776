"""Symbol addresses: one grammar, one canonical spelling, one overlap relation.

An address names a scope of the working tree::

    kernel/sched                       a directory: everything below it
    kernel/sched/core.c                a file: every symbol in it
    kernel/sched/core.c::schedule      a symbol
    lib/x.py::Parser.feed              a member of a class (scopes split on '.')
    fs/y.cc::ns::Buf::put              C++/Rust scopes: written '::', canonical '.'

Every engine (local verbs, the hub's live endpoints, records read from disk or
pulled) passes addresses through :func:`canonical`, so two spellings of one
scope are one string, and overlaps are exact lookups of :func:`ancestors`.

Canonical form (see ``docs/rules.md``):

* surrounding spaces are dropped, and spaces around each ``::``/``.`` scope
  separator; a ``\\`` in the path is a ``/`` (Windows spelling, not a file
  name character we keep); ``./`` components, repeated ``/`` and a trailing
  ``/`` go; case is kept;
* refused, with the reason: an empty address, path or scope part; ``..``
  components; absolute paths (``/x``, ``C:/x``); control characters (NUL,
  newline, tab, DEL …); more than :data:`MAX_ADDRESS_LEN` characters;
* after the first ``::`` (path from name), both ``::`` and ``.`` separate
  scopes and the canonical separator is ``.``: ``y.cc::ns::Buf::put`` is
  ``y.cc::ns.Buf.put`` and encloses nothing differently from it;
* any other character is legal: ``arch/powerpc/perf/power5+-pmu.c``,
  ``tools/perf/util/c++/x.c``, commas.

Overlap is component-wise: ``drivers/net/e1000`` encloses
``drivers/net/e1000/main.c::probe`` but not ``drivers/net/e1000e``.

No typing import at run time: ``muse coord reserve`` loads this module.
"""

from __future__ import annotations

from muse.core.vocab.errors import UserError

__all__ = [
    "MAX_ADDRESS_LEN",
    "AddressError",
    "ancestors",
    "canonical",
    "canonical_or_none",
    "canonical_or_raw",
    "encloses",
    "overlaps",
    "parts",
    "path_of",
]

MAX_ADDRESS_LEN = 1024  # characters of the canonical address
SCOPE = "::"  # path / name separator


class AddressError(UserError):
    """An address that names nothing (``why`` says what is wrong with it)."""

    code = "invalid_address"

    def __init__(self, address: object, why: str) -> None:
        shown = repr(address)[:90]
        super().__init__(f"invalid address {shown}: {why}", address=str(address)[:200], why=why)
        self.why = why


def _has_control(text: str) -> bool:
    return not text.isprintable() and any(ord(c) < 32 or 127 <= ord(c) < 160 for c in text)


def _fast_ok(a: str) -> bool:
    """True for the common address that is canonical as written (checked in C)."""
    return (
        a != "" and a.isprintable()
        and "\\" not in a and "//" not in a and "/." not in a and "./" not in a
        and ":::" not in a and " " not in a and ".." not in a
        and not a.startswith(("/", ".", ":")) and not a.endswith(("/", ".", ":"))
        and a.count("::") <= 1 and (":/" not in a) and ".:" not in a and ":." not in a
        and len(a) <= MAX_ADDRESS_LEN and a[1:2] != ":"
    )


def canonical(address: object) -> str:
    """The canonical spelling of *address*.

    Raises:
        AddressError: not a string, or it names nothing (the reason is given).
    """
    if type(address) is str and _fast_ok(address):
        return address
    if not isinstance(address, str):
        raise AddressError(address, "an address is a string such as kernel/sched/core.c::schedule")
    if _has_control(address):
        raise AddressError(address, "control characters (NUL, newline, tab, …) are not allowed")
    text = address.strip(" ")
    if not text:
        raise AddressError(address, "it is empty")
    raw_path, sep, raw_name = text.partition(SCOPE)
    path = _canonical_path(address, raw_path.strip(" "))
    if sep:
        names = [p.strip(" ") for p in raw_name.replace(SCOPE, ".").split(".")]
        if not all(names):
            raise AddressError(address, "an empty scope part (after '::' and between '.' or '::')")
        out = path + SCOPE + ".".join(names)
    else:
        out = path
    if len(out) > MAX_ADDRESS_LEN:
        raise AddressError(address, f"longer than {MAX_ADDRESS_LEN} characters")
    return out


def _canonical_path(address: str, raw: str) -> str:
    if not raw:
        raise AddressError(address, "the path before '::' is empty")
    posix = raw.replace("\\", "/")
    if posix.startswith("/") or (len(posix) >= 2 and posix[1] == ":" and posix[0].isalpha()
                                 and (len(posix) == 2 or posix[2] == "/")):
        raise AddressError(address, "absolute paths are not allowed: use a path relative to the "
                                    "repository root")
    comps = [c for c in posix.split("/") if c not in ("", ".")]
    if ".." in comps:
        raise AddressError(address, "'..' components are not allowed: the address must stay "
                                    "inside the repository")
    if not comps:
        raise AddressError(address, "the path names no file or directory")
    return "/".join(comps)


def canonical_or_none(address: object) -> str | None:
    """:func:`canonical`, or None when *address* is invalid."""
    try:
        return canonical(address)
    except AddressError:
        return None


def canonical_or_raw(address: str) -> str:
    """:func:`canonical` for reading records: an invalid address stays as written
    (it overlaps only itself), a record is never lost over it."""
    try:
        return canonical(address)
    except AddressError:
        return address


def path_of(address: str) -> str:
    """The path part of a canonical address."""
    return address.partition(SCOPE)[0]


def parts(address: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``(path components, scope parts)`` of a canonical address."""
    path, sep, name = address.partition(SCOPE)
    return tuple(path.split("/")), (tuple(name.split(".")) if sep else ())


def ancestors(address: str) -> list[str]:
    """Every address enclosing canonical *address*, outermost first.

    ``a/b.c::F.g`` → ``["a", "a/b.c", "a/b.c::F"]``: its directories, its
    file, then each enclosing scope. Holding any of them holds *address*.
    """
    path, sep, name = address.partition(SCOPE)
    out: list[str] = []
    cut = path.find("/")
    while cut != -1:
        out.append(path[:cut])
        cut = path.find("/", cut + 1)
    if not sep:
        return out
    out.append(path)
    dot = name.find(".")
    while dot != -1:
        out.append(path + SCOPE + name[:dot])
        dot = name.find(".", dot + 1)
    return out


def encloses(outer: str, inner: str) -> bool:
    """True when canonical *outer* is *inner* or encloses it."""
    if outer == inner:
        return True
    if not inner.startswith(outer):
        return False
    rest = inner[len(outer):]
    if SCOPE in outer:
        return rest.startswith(".")
    return rest.startswith(("/", SCOPE))


def overlaps(a: str, b: str) -> bool:
    """True when canonical addresses *a* and *b* share any code (one encloses the other)."""
    return encloses(a, b) or encloses(b, a)
