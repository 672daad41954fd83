"""How the command speaks: geo's log records and warnings as `incident-map: ...` lines.

geo logs its steps and warns about its input (geo.records.InputWarning);
nothing in geo prints. Here steps become progress lines ("..."), notes and
warnings one line each, and per-document progress is overwritten in place on
a terminal (about 20 lines in a log).
"""

from __future__ import annotations

import logging
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from geo.records import InputWarning


def progress(message: str) -> None:
    print(f"incident-map: {message}...", file=sys.stderr, flush=True)


@contextmanager
def speaking(strict: bool = False) -> Iterator[list[type]]:
    """geo's records and warnings shown as lines while the block runs.

    Yields the categories of the warnings shown, so the exit code can say
    that input was left out. `strict` turns an InputWarning into an error.
    """
    shown: list[type] = []

    def show(message, category, filename, lineno, file=None, line=None) -> None:
        shown.append(category)
        if issubclass(category, InputWarning):  # one line, like every other message
            print(f"incident-map: warning: {message}", file=sys.stderr)
        else:
            print(warnings.formatwarning(message, category, filename, lineno, line), end="",
                  file=sys.stderr)

    logger, lines = logging.getLogger("geo"), _Lines()
    level = logger.level
    logger.addHandler(lines)
    logger.setLevel(logging.INFO)
    try:
        with warnings.catch_warnings():
            warnings.showwarning = show
            warnings.simplefilter("error" if strict else "always", InputWarning)
            yield shown
    finally:
        logger.removeHandler(lines)
        logger.setLevel(level)


class _Lines(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if getattr(record, "note", False):
            print(f"incident-map: note: {message}", file=sys.stderr)
        elif record.levelno >= logging.WARNING:
            print(f"incident-map: warning: {message}", file=sys.stderr)
        elif not hasattr(record, "progress"):
            progress(message)
        elif sys.stderr.isatty():
            n, total = record.progress
            print(f"\rincident-map: {message[-80:]:<80}", end="\n" if n == total else "",
                  file=sys.stderr, flush=True)
        elif record.progress[0] in (1, record.progress[1]) or \
                record.progress[0] % max(1, record.progress[1] // 20) == 0:
            print(f"incident-map: {message}", file=sys.stderr, flush=True)
