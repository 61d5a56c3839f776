"""The symbol index: built once, updated by what changed, never believing a damaged file."""

from __future__ import annotations

import os
import pathlib

from muse.core.source.index import default_store, load_index, update_index
from tests.kernel_slice import E1000, copy_slice


def test_build_then_update_parses_only_what_changed(tmp_path: pathlib.Path) -> None:
    root = copy_slice(tmp_path / "tree")
    index, stats = update_index(root)
    assert stats.parsed == stats.files == len(index) == 20
    assert "e1000_reset_hw" in index.symbols(f"{E1000}/e1000_hw.c")
    _, again = update_index(root)
    assert (again.parsed, again.removed) == (0, 0)

    path = root / E1000 / "e1000_param.c"
    path.write_bytes(path.read_bytes() + b"\nint e1000_added_by_test(void) { return 0; }\n")
    (root / "lib" / "list_sort.c").unlink()
    (root / "lib" / "new.py").write_text("import os\n\ndef fresh():\n    return os.sep\n")
    index, stats = update_index(root)
    assert (stats.parsed, stats.removed) == (2, 1)
    assert "e1000_added_by_test" in index.symbols(f"{E1000}/e1000_param.c")
    assert "lib/list_sort.c" not in index and index.symbols("lib/new.py") == ("fresh",)
    # A fresh load (other process) sees the same.
    loaded = load_index(root)
    assert loaded is not None and "e1000_added_by_test" in loaded.symbols(f"{E1000}/e1000_param.c")


def test_damaged_files_are_rebuilt_or_reparsed(tmp_path: pathlib.Path) -> None:
    root = copy_slice(tmp_path / "tree")
    update_index(root)
    store = default_store(root)
    (store / "meta").write_bytes(b"MUSECODE garbage")
    assert load_index(root) is None
    _, stats = update_index(root)
    assert stats.parsed == 20  # rebuilt, not believed
    for shard in store.glob("shard-*"):
        data = bytearray(shard.read_bytes())
        data[-1] ^= 0xFF  # CRC mismatch
        shard.write_bytes(bytes(data))
    index = load_index(root)
    assert index is not None
    assert "e1000_reset_hw" in index.symbols(f"{E1000}/e1000_hw.c")  # parsed on demand


def test_symlinks_hidden_folders_and_other_files_are_skipped(tmp_path: pathlib.Path) -> None:
    root = tmp_path / "t"
    (root / ".git").mkdir(parents=True)
    (root / ".git" / "x.c").write_text("int hidden(void) { return 0; }\n")
    (root / "a.c").write_text("int shown(void) { return 0; }\n")
    (root / "notes.txt").write_text("int no;\n")
    os.symlink(root / "a.c", root / "link.c")
    index, _ = update_index(root, tmp_path / "store")
    assert sorted(index.entries) == ["a.c"]


def test_one_file_is_looked_up_from_its_folder_alone(tmp_path: pathlib.Path) -> None:
    from muse.core.source.index import stored_symbols

    root = copy_slice(tmp_path / "tree")
    rel = f"{E1000}/e1000_param.c"
    assert stored_symbols(root, rel) is None  # nothing stored yet
    update_index(root)
    assert "e1000_check_options" in (stored_symbols(root, rel) or ())
    path = root / rel
    path.write_bytes(path.read_bytes() + b"\n")
    assert stored_symbols(root, rel) is None  # changed since: the caller parses it
