"""One writer per archive: an exclusive lock on `outputs/<park>/.<window>.lock` while a render
prepares, stages and places the archive of that park-window.

The lock is an OS file lock (`fcntl.flock`), so the kernel releases it when its holder exits for
any reason, a kill included: a lock file left by a killed run locks nothing. The lock file holds
the holder's process id and start time for the message a second render shows.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path


class ArchiveBusy(Exception):
    """Another process holds the archive's lock; the message says which and what to do."""


def lock_path(final: Path) -> Path:
    return final.with_name(f".{final.name}.lock")


@contextmanager
def archive_lock(final: Path, *, wait_seconds: float = 0.0) -> Iterator[None]:
    """Hold the lock of the archive at `final` (its parent folder must exist). If another process
    holds it, wait up to `wait_seconds`, then raise `ArchiveBusy`. The lock file is removed on
    release, so an output folder holds only archives."""
    path = lock_path(final)
    deadline = time.monotonic() + wait_seconds
    while True:
        handle = open(path, "a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            if time.monotonic() >= deadline:
                raise ArchiveBusy(f"{final} is being written by another evalkit run ({holder}); nothing "
                                  "was changed: run again when it has finished") from None
            time.sleep(0.2)
            continue
        if _same_file(handle, path):
            break
        handle.close()  # the holder we waited for removed this lock file: lock the current one
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}, since {datetime.now(timezone.utc):%Y-%m-%d %H:%M:%S} UTC")
        handle.flush()
        yield
    finally:
        path.unlink(missing_ok=True)  # while still holding it; a waiter notices and retries
        handle.close()


def _same_file(handle, path: Path) -> bool:
    try:
        return os.fstat(handle.fileno()).st_ino == os.stat(path).st_ino
    except FileNotFoundError:
        return False
