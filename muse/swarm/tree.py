"""A kernel-shaped source tree: subsystems, files, symbols — generated, or read.

:func:`generate_tree` makes one up (below); :func:`load_tree` reads a real
one through the symbol index (subsystems from ``MAINTAINERS`` when present,
else folders; symbols as the parser finds them).

The shape follows Linux: a long tail of driver folders holding most files, a
few core folders (``kernel/``, ``mm/``, ``include/linux``) that everything
else builds on, C files with a few to a few dozen functions each. Nothing is
written to disk: 150,000 files × ~12 symbols would cost seconds and hundreds
of MB for strings no agent reads, so a file's symbols are derived on demand
from ``(seed, file index)``. The same seed always gives the same tree.

Addresses are the ones agents reserve: ``drivers/net/e1000/e1000_main.c::e1000_open_queue``.
"""

from __future__ import annotations

import random
from array import array
from dataclasses import dataclass, field

TYPE_CHECKING = False
if TYPE_CHECKING:
    from muse.core.source.index import CodeIndex

__all__ = ["BASE_SUBSYSTEMS", "Subsystem", "Tree", "generate_tree", "load_tree"]

# (path, relative weight in files, tier). Tier 0 builds first: headers and arch
# code every other subsystem depends on; tier 3 is the driver long tail.
BASE_SUBSYSTEMS: tuple[tuple[str, float, int], ...] = (
    ("include/linux", 6.0, 0), ("include/uapi/linux", 2.0, 0), ("arch/x86/kernel", 2.0, 0),
    ("arch/x86/mm", 0.6, 0), ("arch/arm64/kernel", 1.5, 0), ("arch/riscv/kernel", 0.8, 0),
    ("kernel/sched", 0.8, 1), ("kernel/locking", 0.5, 1), ("kernel/rcu", 0.5, 1),
    ("kernel/time", 0.6, 1), ("kernel/irq", 0.5, 1), ("kernel/bpf", 1.0, 1), ("kernel", 1.5, 1),
    ("mm", 2.0, 1), ("lib", 2.0, 1), ("init", 0.2, 1), ("ipc", 0.3, 1), ("security/selinux", 0.6, 1),
    ("block", 0.8, 2), ("fs", 1.5, 2), ("fs/ext4", 0.9, 2), ("fs/btrfs", 1.2, 2),
    ("fs/xfs", 1.5, 2), ("fs/nfs", 0.8, 2), ("fs/proc", 0.4, 2), ("net/core", 1.0, 2),
    ("net/ipv4", 1.2, 2), ("net/ipv6", 1.0, 2), ("net/netfilter", 1.5, 2), ("net/sched", 0.8, 2),
    ("crypto", 1.2, 2), ("virt/kvm", 0.4, 2), ("sound/core", 0.6, 3), ("sound/soc/codecs", 3.0, 3),
    ("drivers/base", 0.8, 3), ("drivers/pci", 0.8, 3), ("drivers/usb/core", 0.8, 3),
    ("drivers/usb/host", 1.0, 3), ("drivers/gpu/drm", 3.0, 3), ("drivers/gpu/drm/amd", 8.0, 3),
    ("drivers/gpu/drm/i915", 3.0, 3), ("drivers/net/ethernet/intel", 2.5, 3),
    ("drivers/net/ethernet/mellanox", 2.5, 3), ("drivers/net/wireless", 4.0, 3),
    ("drivers/scsi", 2.5, 3), ("drivers/nvme", 0.5, 3), ("drivers/md", 0.8, 3),
    ("drivers/media", 4.0, 3), ("drivers/staging", 2.0, 3), ("drivers/infiniband", 1.5, 3),
    ("drivers/clk", 1.5, 3), ("drivers/pinctrl", 1.5, 3), ("drivers/iio", 1.5, 3),
    ("drivers/hid", 0.8, 3), ("drivers/input", 1.0, 3), ("drivers/tty", 0.8, 3),
    ("drivers/char", 0.6, 3), ("drivers/acpi", 0.8, 3), ("drivers/firmware", 0.5, 3),
    ("tools/perf", 2.0, 3),
)

# Driver vendors and device families, for subsystems beyond the base list.
_LEAVES = ("acme", "aurora", "bolt", "cobalt", "delta", "ember", "falcon", "garnet", "helix",
           "ion", "jade", "kite", "lumen", "mica", "nova", "onyx", "pulse", "quartz", "rune",
           "sable", "titan", "umbra", "vega", "wren", "xeno", "yarrow", "zephyr")
_VERBS = ("init", "exit", "probe", "remove", "open", "release", "read", "write", "ioctl",
          "poll", "alloc", "free", "get", "put", "lock", "unlock", "start", "stop", "reset",
          "suspend", "resume", "map", "unmap", "enable", "disable", "submit", "complete",
          "handle", "setup", "update", "flush", "sync")
_NOUNS = ("queue", "irq", "buf", "page", "dev", "ctx", "req", "skb", "inode", "dentry",
          "sb", "vma", "task", "timer", "work", "ring", "desc", "dma", "reg", "clk", "pin",
          "port", "link", "fw", "cfg", "stats", "state", "cache", "entry", "node", "list",
          "table", "slot", "chan", "msg", "cmd", "event", "mode", "attr", "ops", "hw",
          "phy", "mac", "rx", "tx", "bio", "rq", "cpu", "mm", "pte", "pmd", "folio", "lru",
          "zone", "slab", "sock", "proto", "route", "nf", "xfrm", "key", "cred", "ns", "cgroup")
_STEMS = ("core", "main", "dev", "ops", "hw", "io", "util", "sysfs", "debugfs", "pm", "irq",
          "dma", "init", "common", "ctrl", "phy", "mac", "ring", "cache", "table", "queue",
          "trace", "stats", "fw", "cfg", "mem", "map", "bus", "port", "event")


@dataclass(frozen=True, slots=True)
class Subsystem:
    """A folder of files that tasks cluster in."""

    index: int
    path: str
    tier: int
    first_file: int  # files [first_file, first_file + file_count) of the tree
    file_count: int


@dataclass(slots=True)
class Tree:
    """Subsystems and files; symbols are computed per file (see :meth:`symbols`)."""

    seed: int
    subsystems: list[Subsystem]
    files: list[str]
    symbol_counts: array[int] = field(default_factory=lambda: array("H"))
    names: list[tuple[str, ...]] | None = None  # a real tree's symbols, per file
    deps: list[tuple[int, ...]] | None = None  # a real tree's includes/imports, as file indices
    shared_files: int = 0  # files more than one MAINTAINERS section covers

    @property
    def symbol_total(self) -> int:
        return sum(self.symbol_counts)

    def subsystem_of(self, file_index: int) -> Subsystem:
        lo, hi = 0, len(self.subsystems) - 1
        while lo < hi:  # binary search on first_file (subsystems are contiguous)
            mid = (lo + hi + 1) // 2
            if self.subsystems[mid].first_file <= file_index:
                lo = mid
            else:
                hi = mid - 1
        return self.subsystems[lo]

    def symbols(self, file_index: int) -> list[str]:
        """The file's symbol addresses (``path::name``), in a stable order, all distinct."""
        path = self.files[file_index]
        if self.names is not None:
            return [f"{path}::{name}" for name in self.names[file_index]]
        count = self.symbol_counts[file_index]
        stem = path.rsplit("/", 1)[-1].split(".", 1)[0]
        # j -> (verb, noun) is injective for j < len(_VERBS) * len(_NOUNS): names are unique
        # within a file without a set; the offset varies names between files.
        offset = (file_index * 2654435761 + self.seed) % len(_NOUNS)
        nv, nn = len(_VERBS), len(_NOUNS)
        # Past nv * nn names (the long tail: register headers), a generation suffix.
        return [f"{path}::{stem}_{_VERBS[j % nv]}_{_NOUNS[(j // nv + offset) % nn]}"
                + (f"_{j // (nv * nn)}" if j >= nv * nn else "")
                for j in range(count)]


def _subsystem_specs(count: int, rng: random.Random) -> list[tuple[str, float, int]]:
    """*count* subsystems: the base list (cut or extended with driver families)."""
    if count <= len(BASE_SUBSYSTEMS):
        # Keep the tiers represented: take every k-th entry, core ones first.
        step = len(BASE_SUBSYSTEMS) / count
        return [BASE_SUBSYSTEMS[int(i * step)] for i in range(count)]
    specs = list(BASE_SUBSYSTEMS)
    drivers = [s for s in BASE_SUBSYSTEMS if s[2] == 3]
    n = 0
    while len(specs) < count:
        parent, weight, tier = drivers[n % len(drivers)]
        leaf = _LEAVES[(n // len(drivers)) % len(_LEAVES)]
        generation = n // (len(drivers) * len(_LEAVES))
        suffix = f"{leaf}{generation}" if generation else leaf
        specs.append((f"{parent}/{suffix}", weight * rng.uniform(0.1, 0.6), tier))
        n += 1
    return specs


def _symbol_count(rng: random.Random) -> int:
    """Symbols per file: log-normal like Linux 6.1's (median ≈ 15, p99 ≈ 600, a
    tail of register headers with tens of thousands), capped at 65,535."""
    return max(1, min(65_535, int(rng.lognormvariate(2.7, 1.6))))


def generate_tree(files: int, subsystems: int, seed: int = 0) -> Tree:
    """A tree of *files* files spread over *subsystems* subsystems.

    Args:
        files: number of files (≥ *subsystems*).
        subsystems: number of subsystem folders (≥ 1).
        seed: the same seed gives the same tree.

    Raises:
        ValueError: fewer files than subsystems, or no subsystem.
    """
    if subsystems < 1:
        raise ValueError("need at least one subsystem")
    if files < subsystems:
        raise ValueError(f"need at least one file per subsystem ({files} files, "
                         f"{subsystems} subsystems)")
    rng = random.Random(seed)
    specs = _subsystem_specs(subsystems, rng)
    # Files per subsystem by weight, at least one each, summing exactly to *files*.
    total_w = sum(w for _, w, _ in specs)
    spare = files - len(specs)
    shares = [int(spare * w / total_w) for _, w, _ in specs]
    for i in range(spare - sum(shares)):
        shares[i % len(shares)] += 1
    out_subs: list[Subsystem] = []
    paths: list[str] = []
    counts = array("H")
    for index, ((path, _, tier), share) in enumerate(zip(specs, shares, strict=True)):
        n = share + 1
        out_subs.append(Subsystem(index, path, tier, len(paths), n))
        prefix = path.rsplit("/", 1)[-1].replace("-", "_")
        for k in range(n):
            stem = _STEMS[k % len(_STEMS)]
            generation = k // len(_STEMS)
            name = f"{prefix}_{stem}{generation if generation else ''}"
            ext = ".h" if rng.random() < 0.42 else ".c"  # Linux 6.1: 42% of C sources are headers
            paths.append(f"{path}/{name}{ext}")
            counts.append(_symbol_count(rng))
    return Tree(seed=seed, subsystems=out_subs, files=paths, symbol_counts=counts)


# Top folder -> tier, for a real tree (the same layering as BASE_SUBSYSTEMS).
_TIER_OF_TOP = {"include": 0, "arch": 0, "kernel": 1, "mm": 1, "lib": 1, "init": 1, "ipc": 1,
                "security": 1, "fs": 2, "net": 2, "block": 2, "crypto": 2, "virt": 2,
                "io_uring": 2}


def _tier(paths: list[str]) -> int:
    """Tier of a subsystem: headers-mostly is 0, else by its files' commonest top folder."""
    if sum(p.endswith(".h") for p in paths) * 2 > len(paths):
        return 0
    tops: dict[str, int] = {}
    for p in paths:
        top = p.split("/", 1)[0] if "/" in p else ""
        tops[top] = tops.get(top, 0) + 1
    return _TIER_OF_TOP.get(max(tops, key=lambda t: (tops[t], t)), 3)


def _enclosed(name: str, names: set[str]) -> bool:
    """True when an outer scope of *name* (``A`` or ``A.B`` for ``A.B.c``) is in *names*."""
    dot = name.find(".")
    while dot != -1:
        if name[:dot] in names:
            return True
        dot = name.find(".", dot + 1)
    return False


def load_tree(root: str, index: CodeIndex, *, kinds: str | None = None) -> Tree:
    """The real tree at *root*, as its symbol *index* sees it.

    Subsystems are ``MAINTAINERS`` sections when the file exists (each file in
    its most specific section; files no section covers go by folder), else the
    folders holding files. Within a subsystem headers come first (the first
    task ports them). Only files with at least one symbol are kept.

    Args:
        root: the tree's folder.
        index: its symbol index (:func:`muse.core.source.index.update_index`).
        kinds: the symbol kinds kept (letters of ``codeparse.KINDS``; default all).
    """
    import os

    from muse.core.source.graph import Graph

    names_of: dict[str, tuple[str, ...]] = {}
    for path in index.entries:
        all_names = index.symbols(path)
        names = all_names if kinds is None else tuple(
            n for n, k in zip(all_names, index.kinds(path)[0], strict=True) if k in kinds)
        # A class's address encloses its methods: reserving both, maybe in two
        # tasks, would be an overlap nobody planted. The class stands for them.
        if any("." in n for n in names):
            kept = set(names)
            names = tuple(n for n in names if not _enclosed(n, kept))
        if names:
            names_of[path] = names
    paths = sorted(names_of)
    owner_name: dict[str, str] = {}
    shared = 0
    maintainers = os.path.join(root, "MAINTAINERS")
    if os.path.isfile(maintainers):
        from muse.swarm.maintainers import assign, parse_maintainers

        with open(maintainers, encoding="utf-8", errors="replace") as fh:
            sections = parse_maintainers(fh.read())
        owner, shared = assign(sections, paths)
        owner_name = {p: sections[i].name for p, i in owner.items()}
    groups: dict[str, list[str]] = {}
    for p in paths:
        groups.setdefault(owner_name.get(p) or (p.rsplit("/", 1)[0] if "/" in p else "."), []).append(p)
    order = sorted(groups, key=lambda g: (_tier(groups[g]), g))
    subsystems: list[Subsystem] = []
    files: list[str] = []
    for i, name in enumerate(order):
        members = sorted(groups[name], key=lambda p: (not p.endswith(".h"), p))
        subsystems.append(Subsystem(i, name, _tier(members), len(files), len(members)))
        files.extend(members)
    at = {p: i for i, p in enumerate(files)}
    graph = Graph(index)
    deps = [tuple(at[d] for d in graph.deps(p) if d in at) for p in files]
    counts = array("I", (len(names_of[p]) for p in files))
    return Tree(seed=0, subsystems=subsystems, files=files, symbol_counts=counts,
                names=[names_of[p] for p in files], deps=deps, shared_files=shared)
