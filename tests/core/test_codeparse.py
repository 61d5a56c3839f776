"""The parser on real files: kernel C from the vendored slice, and this project's Python."""

from __future__ import annotations

import pathlib

from muse.core.source.parse import parse_source
from tests.kernel_slice import E1000, SLICE

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _facts(rel: str):  # type: ignore[no-untyped-def]
    return parse_source(rel, (SLICE / rel).read_bytes())


def test_c_functions_macros_structs_and_static_flags() -> None:
    f = _facts(f"{E1000}/e1000_main.c")
    kinds = dict(zip(f.symbols, f.kinds, strict=True))
    private = dict(zip(f.symbols, f.private, strict=True))
    assert kinds["e1000_probe"] == "f" and private["e1000_probe"] == "1"  # static int e1000_probe(...)
    assert kinds["e1000_reset"] == "f" and private["e1000_reset"] == "0"
    assert len(f.symbols) == len(f.kinds) == len(f.private) == len(set(f.symbols))
    assert all(s and s.isidentifier() for s in f.symbols)
    h = _facts(f"{E1000}/e1000_hw.h")
    hk = dict(zip(h.symbols, h.kinds, strict=True))
    assert hk["E1000_CTRL"] == "m"  # a register macro
    assert hk["e1000_hw"] == "s"  # struct e1000_hw { ... }
    assert len(h.symbols) > 256  # the header the swarm must batch


def test_c_includes_and_calls_per_function() -> None:
    f = _facts(f"{E1000}/e1000_main.c")
    assert "e1000.h" in f.includes and "linux/prefetch.h" in f.includes
    calls = dict(f.calls)
    assert "e1000_reset_hw" in calls["e1000_reset"]  # defined in e1000_hw.c


def test_python_symbols_and_absolute_imports() -> None:
    rel = "muse/core/coord/forecast.py"
    f = parse_source(rel, (ROOT / rel).read_bytes())
    assert {"forecast", "Prediction", "Prediction.to_json", "SEVERITIES"} <= set(f.symbols)
    assert "muse.core.coord.state" in f.includes and "muse.core.vocab.clock" in f.includes
    rel = "muse/core/source/graph.py"
    g = parse_source(rel, (ROOT / rel).read_bytes())
    assert "muse.core.source.index" in g.includes


def test_relative_imports_resolve_against_the_package() -> None:
    f = parse_source("pkg/sub/mod.py", b"from . import a\nfrom ..b import c\nimport x.y as z\n")
    assert {"pkg.sub.a", "pkg.sub", "pkg.b.c", "pkg.b", "x.y"} <= set(f.includes)


def test_broken_source_and_unknown_languages_never_raise() -> None:
    assert parse_source("a.c", b"int f( {{{ \x00\xff struct").symbols is not None
    assert parse_source("a.rs", b"fn main() {}").symbols == ()
