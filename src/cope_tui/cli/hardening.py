"""Keep the passphrase, the key and client text out of core dumps.

An encrypted DB's passphrase, its key and the decrypted records live in this process's
memory. A crash or `kill -ABRT` under `ulimit -c unlimited` wrote all of it to a core file
(the passphrase 3 times, a note 20 times). So every command that may hold a key turns
dumps off before it asks for one: the core size limit goes to 0 (soft and hard, so
nothing later in the process, nor a child, raises it again), and on Linux the process is
marked not dumpable, which also keeps a debugger of the same (non-root) user from
attaching to read its memory. Anything else the system may do with memory (swap,
hibernation, root) is listed in the README as not covered.
"""

from __future__ import annotations

import sys

PR_SET_DUMPABLE = 4  # from <linux/prctl.h>


def no_core_dumps() -> None:
    """Best effort, never fatal: a system that refuses leaves the process as it was."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ImportError, ValueError, OSError):
        pass
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
        except (OSError, AttributeError):
            pass
