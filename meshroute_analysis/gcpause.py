"""Pausing Python's cyclic garbage collector while the package builds large, acyclic, long-lived data.

Loading, building frames and auditing allocate hundreds of thousands of small objects (tuples, dicts,
records) that stay alive and hold no reference cycles.  The cyclic collector would walk them again and
again, generation by generation, and find nothing to free: a fifth to a third of those phases' time at
100,000 documents.  Reference counting frees everything as usual while the collector is paused, and the
caller's own enabled/disabled state is restored as it was.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["FREEZE_AFTER_OBJECTS", "cyclic_gc_paused"]

#: A load that made more objects than this (a few thousand documents' worth) leaves them to the permanent
#: generation: otherwise the collector's next passes would walk all of them, generation by generation.
FREEZE_AFTER_OBJECTS = 200_000


@contextmanager
def cyclic_gc_paused(*, freeze_after: int | None = None) -> Iterator[None]:
    """No cyclic collection inside the block.

    Pausing is not enough on its own when what was built stays alive (a loaded repository): every object
    made meanwhile is still in the youngest generation when collection resumes, so the first passes after
    it walk the whole new heap (0.7 s at 100,000 documents).  With ``freeze_after``, when more objects than
    that were made, the objects alive are moved to the permanent generation (``gc.freeze()``), which the
    collector never walks.  The price: a reference cycle alive at that moment that becomes garbage later is
    freed only after ``gc.unfreeze()``, so freeze only after building what is meant to stay."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if freeze_after is not None and gc.get_count()[0] > freeze_after:
                gc.freeze()
            gc.enable()
