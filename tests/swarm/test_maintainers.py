"""MAINTAINERS patterns with the kernel's rules, on the real excerpt and on edge cases."""

from __future__ import annotations

from muse.swarm.maintainers import assign, parse_maintainers
from tests.kernel_slice import SLICE

_TEXT = """\
Descriptions of section entries and preferred order
	F: *Files* and directories wildcard patterns.

ABI/API
L:	linux-api@vger.kernel.org
F:	include/linux/syscalls.h
X:	include/uapi/

PERF
F:	arch/*/events/*
F:	tools/perf/

NET
F:	drivers/net/
X:	drivers/net/wireless/

ONE LEVEL
F:	drivers/net/*

BARE FOLDER
F:	lib

THE REST
F:	*
F:	*/
"""


def test_rules() -> None:
    sections = parse_maintainers(_TEXT)
    assert [s.name for s in sections] == ["ABI/API", "PERF", "NET", "ONE LEVEL", "BARE FOLDER", "THE REST"]
    files = ["include/linux/syscalls.h", "include/uapi/linux/a.h", "arch/x86/events/core.c",
             "arch/x86/events/intel/ds.c", "tools/perf/util/c++/clang.h", "drivers/net/dummy.c",
             "drivers/net/ethernet/e100.c", "drivers/net/wireless/ath.c", "lib/sort.c", "Makefile"]
    owner, shared = assign(sections, files)
    name = {f: sections[i].name for f, i in owner.items()}
    assert name["include/linux/syscalls.h"] == "ABI/API"
    assert name["include/uapi/linux/a.h"] == "THE REST"
    assert name["arch/x86/events/core.c"] == "PERF"
    assert name["arch/x86/events/intel/ds.c"] == "THE REST"  # '*' stays in one component
    assert name["tools/perf/util/c++/clang.h"] == "PERF"
    assert name["drivers/net/dummy.c"] == "ONE LEVEL"  # more specific than drivers/net/
    assert name["drivers/net/ethernet/e100.c"] == "NET"
    assert name["drivers/net/wireless/ath.c"] == "THE REST"  # X: excludes it from NET
    assert name["lib/sort.c"] == "BARE FOLDER"
    assert name["Makefile"] == "THE REST"
    # In two sections or more (THE REST's '*/' covers every file in a folder): all but
    # the excluded ones, the one two levels below events/, and Makefile.
    assert shared == 6


def test_the_real_excerpt() -> None:
    sections = parse_maintainers((SLICE / "MAINTAINERS").read_text())
    assert len(sections) == 8 and sections[-1].name == "THE REST"
    intel = next(s for s in sections if s.name == "INTEL ETHERNET DRIVERS")
    assert "drivers/net/ethernet/intel/" in intel.includes
