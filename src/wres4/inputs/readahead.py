"""Read a source's tables ahead, in a background thread, while the caller does other work.

pyarrow parses without holding the GIL, so the training extract can be parsed while the staff
side is reduced. The queue holds a few tables only, so memory stays flat however long the
file. Used as a context: the reading starts when the caller says :meth:`ReadAhead.begin` (or
first asks for a table), so it need not compete with work that comes first, and the thread
is stopped and joined on every way out, so no thread outlives the call; an error met while
reading is raised where the caller reaches that table, as if it had read the file itself.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any

DONE = object()


class ReadAhead(threading.Thread):
    """Iterate over ``tables()`` with up to ``depth`` items read ahead."""

    def __init__(self, tables: Callable[[], Iterator[Any]], depth: int) -> None:
        super().__init__(daemon=True, name="wres4-readahead")
        self.tables = tables
        self.queue: queue.Queue[tuple[object, Any]] = queue.Queue(maxsize=max(depth, 1))
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            for table in self.tables():
                if not self._put((None, table)):
                    return
            self._put((DONE, None))
        except BaseException as exc:  # raised in the caller's thread by __iter__
            self._put((exc, None))

    def _put(self, item: tuple[object, Any]) -> bool:
        while not self.stopping.is_set():
            try:
                self.queue.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def begin(self) -> None:
        """Start reading ahead (once; later calls do nothing)."""
        if self.ident is None:
            self.start()

    def __iter__(self) -> Iterator[Any]:
        self.begin()
        while True:
            state, table = self.queue.get()
            if state is DONE:
                return
            if isinstance(state, BaseException):
                raise state
            yield table

    def __enter__(self) -> ReadAhead:
        return self

    def __exit__(self, *_: object) -> None:
        self.stopping.set()
        if self.ident is not None:
            self.join()
