"""Live workflows kept between steps (per process), checked out while a step runs.

A step *takes* the workflow out of the cache, so two threads never work on the same object;
the other thread simply loads the case from the database. After a successful commit the step
puts it back with the new case version. Any failure drops it (it may be half-changed).
A cached workflow is only used if its version equals the case row's version, so steps made
by another process (the worker, a second web server) are never missed.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from typing import Any


class WorkflowCache:
    def __init__(self, size: int = 256) -> None:
        self._items: OrderedDict[uuid.UUID, tuple[int, Any]] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def take(self, case_id: uuid.UUID, version: int) -> Any | None:
        with self._lock:
            item = self._items.pop(case_id, None)
        if item is None or item[0] != version:
            return None
        return item[1]

    def put(self, case_id: uuid.UUID, version: int, wf: Any) -> None:
        with self._lock:
            self._items[case_id] = (version, wf)
            self._items.move_to_end(case_id)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def drop(self, case_id: uuid.UUID) -> None:
        with self._lock:
            self._items.pop(case_id, None)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
