"""What one source file defines, includes and calls, read with tree-sitter.

One function, :func:`parse_source`, turns a file's bytes into
:class:`FileFacts`:

* **symbols**: the names an agent may reserve as ``path::name`` — C
  functions, prototypes, macros, structs/unions/enums (with a body),
  enumerators, typedefs and file-scope variables; Python functions, classes,
  methods (``Class.method``) and module-level names;
* **includes**: ``#include`` targets as written (``linux/sched.h``), or
  the absolute modules a Python file imports (``muse.core.coord.state``);
* **calls**: for each function, the distinct names it calls (C: plain
  calls ``f(x)``; Python: ``f(x)`` and ``mod.f(x)``).

tree-sitter is imported here only, on first use: the CLI's start-up path
never pays for it (``tests/cli/test_imports.py``).
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["KINDS", "LANGUAGES", "PARSER_VERSION", "FileFacts", "language_of", "parse_source"]

PARSER_VERSION = 1  # bump when the facts change: stored indexes are then rebuilt

# One letter per symbol kind, stored with the symbol (see :class:`FileFacts`).
KINDS = {"f": "function", "p": "prototype", "m": "macro", "s": "struct", "u": "union",
         "e": "enum", "c": "enumerator", "t": "typedef", "v": "variable", "k": "class",
         "d": "method"}
LANGUAGES = {".c": "c", ".h": "c", ".py": "python"}
_MAX_BYTES = 8 << 20  # generated tables beyond this are listed by name, not parsed


class FileFacts:
    """The parsed facts of one file.

    Attributes:
        symbols: names, in source order, without duplicates.
        kinds: one letter of :data:`KINDS` per symbol.
        private: one ``"1"``/``"0"`` per symbol: ``static`` in C, a leading
            ``_`` in Python (a call from another file cannot reach it).
        includes: include paths as written, or imported module names.
        calls: ``(function, callee names)`` pairs.
    """

    __slots__ = ("calls", "includes", "kinds", "private", "symbols")

    def __init__(self, symbols: tuple[str, ...] = (), kinds: str = "", private: str = "",
                 includes: tuple[str, ...] = (),
                 calls: tuple[tuple[str, tuple[str, ...]], ...] = ()) -> None:
        self.symbols = symbols
        self.kinds = kinds
        self.private = private
        self.includes = includes
        self.calls = calls


def language_of(path: str) -> str | None:
    """``"c"``, ``"python"`` or None (not indexed) from the file name."""
    return LANGUAGES.get(os.path.splitext(path)[1])


_PARSERS: dict[str, Any] = {}


def _parser(lang: str) -> tuple[Any, Any]:
    """(Parser, QueryCursor over the language's query), built once per process."""
    if lang not in _PARSERS:
        import tree_sitter

        if lang == "c":
            import tree_sitter_c

            pointer: object = tree_sitter_c.language()
            query = _C_QUERY
        else:
            import tree_sitter_python

            pointer, query = tree_sitter_python.language(), _PY_QUERY
        language = tree_sitter.Language(pointer)
        _PARSERS[lang] = (tree_sitter.Parser(language),
                          tree_sitter.QueryCursor(tree_sitter.Query(language, query)))
    parser, cursor = _PARSERS[lang]
    return parser, cursor


def parse_source(path: str, data: bytes) -> FileFacts:
    """Facts of *data*, the content of *path* (its extension picks the grammar).

    Never raises on bad source: tree-sitter recovers from syntax errors, and
    what it cannot place is skipped. Unknown languages give empty facts.
    """
    lang = language_of(path)
    if lang is None or len(data) > _MAX_BYTES:
        return FileFacts()
    parser, cursor = _parser(lang)
    tree = parser.parse(data)
    captures = cursor.captures(tree.root_node)
    if lang == "c":
        return _c_facts(captures)
    return _py_facts(path, tree.root_node, captures)


class _Symbols:
    """Collects names in order, first kind wins (a prototype then its definition: function)."""

    def __init__(self) -> None:
        self.at: dict[str, int] = {}
        self.names: list[str] = []
        self.kinds: list[str] = []
        self.private: list[str] = []

    def add(self, name: str, kind: str, private: bool) -> None:
        if not all(part.isidentifier() for part in name.split(".")):
            return  # what error recovery made of broken source: not a name
        i = self.at.get(name)
        if i is None:
            self.at[name] = len(self.names)
            self.names.append(name)
            self.kinds.append(kind)
            self.private.append("1" if private else "0")
        elif kind == "f" and self.kinds[i] in "pv":  # the definition after its prototype
            self.kinds[i] = "f"
            self.private[i] = "1" if private else self.private[i]

    def facts(self, includes: list[str], calls: list[tuple[str, tuple[str, ...]]]) -> FileFacts:
        return FileFacts(tuple(self.names), "".join(self.kinds), "".join(self.private),
                         tuple(dict.fromkeys(includes)), tuple(calls))


# ── C ─────────────────────────────────────────────────────────────────────────
_C_QUERY = """
(function_definition) @function
(declaration) @declaration
(preproc_def name: (identifier) @macro)
(preproc_function_def name: (identifier) @macro)
(struct_specifier name: (type_identifier) @struct body: (_))
(union_specifier name: (type_identifier) @union body: (_))
(enum_specifier name: (type_identifier) @enum body: (_))
(enumerator name: (identifier) @enumerator)
(type_definition declarator: (_) @typedef)
(preproc_include path: (_) @include)
(call_expression function: (identifier) @call)
"""
_C_KIND = {"macro": "m", "struct": "s", "union": "u", "enum": "e", "enumerator": "c"}
_WRAPPERS = ("pointer_declarator", "array_declarator", "parenthesized_declarator",
             "attributed_declarator", "init_declarator")


def _declared_name(node: Any) -> tuple[str, bool] | None:
    """(name, is a function declarator) under a declarator node, or None."""
    is_function = False
    while node is not None:
        t = node.type
        if t in ("identifier", "type_identifier", "field_identifier"):
            return node.text.decode("utf-8", "replace"), is_function
        if t == "function_declarator":
            is_function = True
        elif t not in _WRAPPERS:
            return None
        node = node.child_by_field_name("declarator")
    return None


def _is_static(node: Any) -> bool:
    return any(c.type == "storage_class_specifier" and c.text == b"static" for c in node.children)


def _c_facts(captures: dict[str, list[Any]]) -> FileFacts:
    syms = _Symbols()
    includes = [n.text.decode("utf-8", "replace").strip('<>"') for n in captures.get("include", [])]
    functions: list[tuple[int, int, str]] = []
    for node in captures.get("function", []):
        got = _declared_name(node.child_by_field_name("declarator"))
        if got is not None and got[1]:
            syms.add(got[0], "f", _is_static(node))
            functions.append((node.start_byte, node.end_byte, got[0]))
    for node in captures.get("declaration", []):
        parent = node.parent
        # File scope only (directly or inside #if blocks), not locals in a body.
        while parent is not None and parent.type.startswith("preproc_"):
            parent = parent.parent
        if parent is None or parent.type != "translation_unit":
            continue
        static = _is_static(node)
        for decl in node.children_by_field_name("declarator"):
            got = _declared_name(decl)
            if got is not None:
                syms.add(got[0], "p" if got[1] else "v", static)
    for label, kind in _C_KIND.items():
        for node in captures.get(label, ()):
            syms.add(node.text.decode("utf-8", "replace"), kind, False)
    for node in captures.get("typedef", []):
        got = _declared_name(node)
        if got is not None:
            syms.add(got[0], "t", False)
    return syms.facts(includes, _attribute_calls(functions, captures.get("call", [])))


def _attribute_calls(functions: list[tuple[int, int, str]], calls: list[Any]
                     ) -> list[tuple[str, tuple[str, ...]]]:
    """Group call sites by the function whose byte range holds them."""
    from bisect import bisect_right

    functions.sort()
    starts = [f[0] for f in functions]
    out: dict[str, dict[str, None]] = {}
    for node in calls:
        i = bisect_right(starts, node.start_byte) - 1
        if i >= 0 and node.start_byte < functions[i][1]:
            callees = out.setdefault(functions[i][2], {})
            callees[node.text.decode("utf-8", "replace")] = None
    return [(name, tuple(callees)) for name, callees in out.items()]


# ── Python ────────────────────────────────────────────────────────────────────
_PY_QUERY = """
(import_statement) @import
(import_from_statement) @from
(call function: (identifier) @call)
(call function: (attribute attribute: (identifier) @call))
"""


def _module_of(path: str) -> list[str]:
    """Package parts of *path* (``muse/core/coord/state.py`` → ``["muse", "core"]``)."""
    return path.replace(os.sep, "/").split("/")[:-1]


def _py_imports(path: str, captures: dict[str, list[Any]]) -> list[str]:
    out: list[str] = []
    for node in captures.get("import", []):
        for name in node.children_by_field_name("name"):
            target = name.child_by_field_name("name") if name.type == "aliased_import" else name
            if target is not None:
                out.append(target.text.decode())
    for node in captures.get("from", []):
        module = node.child_by_field_name("module_name")
        if module is None:
            continue
        text = module.text.decode()
        if text.startswith("."):  # relative: resolve against this file's package
            dots = len(text) - len(text.lstrip("."))
            package = _module_of(path)
            package = package[: len(package) - (dots - 1)] if dots > 1 else package
            text = ".".join([*package, text[dots:]] if text[dots:] else package)
        names = [n.child_by_field_name("name") if n.type == "aliased_import" else n
                 for n in node.children_by_field_name("name")]
        # ``from a.b import c``: c may be a module (a/b/c.py) or a name in a/b.
        out.extend(f"{text}.{n.text.decode()}" for n in names if n is not None)
        out.append(text)
    return [m for m in out if m]


def _py_facts(path: str, root: Any, captures: dict[str, list[Any]]) -> FileFacts:
    syms = _Symbols()
    functions: list[tuple[int, int, str]] = []

    def visit(block: Any, prefix: str) -> None:
        for child in block.children:
            node = child.child_by_field_name("definition") if child.type == "decorated_definition" else child
            if node is None:
                continue
            if node.type in ("function_definition", "class_definition"):
                name_node = node.child_by_field_name("name")
                if name_node is None:
                    continue
                name = name_node.text.decode("utf-8", "replace")
                qualified = f"{prefix}{name}"
                is_class = node.type == "class_definition"
                syms.add(qualified, "k" if is_class else ("d" if prefix else "f"), name.startswith("_"))
                if is_class:
                    body = node.child_by_field_name("body")
                    if body is not None:
                        visit(body, f"{qualified}.")
                else:
                    functions.append((node.start_byte, node.end_byte, qualified))
            elif node.type == "expression_statement" and not prefix:
                for expr in node.children:
                    left = expr.child_by_field_name("left") if expr.type == "assignment" else None
                    if left is not None and left.type == "identifier":
                        name = left.text.decode("utf-8", "replace")
                        syms.add(name, "v", name.startswith("_"))

    visit(root, "")
    # A call after a nested function's end, inside its parent, is not attributed: rare.
    calls = _attribute_calls(functions, captures.get("call", []))
    return syms.facts(_py_imports(path, captures), calls)

