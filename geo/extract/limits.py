"""How much one document may cost to read: its size, its text, what its PDF inflates to, time.

A report is a file someone sent: it may be a 2 GB decompression bomb in a 2 MB PDF, a
web page that is one 50 MB paragraph, or just far larger than any report. Each limit
turns what would be a hung or exhausted run into one named skip, and says which option
raises it, so a large but honest file is one flag away:

- `document_mb` (`--max-document-mb`): MB of file read from disk; a larger file is never
  read whole (nor a device that never ends; a named pipe is refused unopened);
- `text_mb` (`--max-text-mb`): MB of text a document may give, counted in characters
  (2**20 to the MB); extraction's time and memory grow with it;
- `decompressed_mb` (`--max-decompressed-mb`): MB a PDF's compressed streams may inflate
  to, in total over the pages read and for any one stream (pypdf's own limits, set
  from it);
- `seconds` (`--max-document-seconds`): seconds of reading and extracting, checked per
  PDF page, per sentence and per record, so a document stops within about a second of
  it (cooperatively: signals do not reach a Dask worker's threads).

The defaults are far above any document seen so far (the longest of the development
set and the fixtures is 22 kB of text) and below what hurts a build on a 2-core
machine: 2 MB of report text extracts in about 15 s there, 5 MB in about a minute, and a
PDF of 200 MB inflated holds no more than that in memory.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

MB = 2**20
# The command-line option that sets each field, named in every skip it causes.
OPTIONS = {"document_mb": "--max-document-mb", "text_mb": "--max-text-mb",
           "decompressed_mb": "--max-decompressed-mb", "seconds": "--max-document-seconds"}


# What each limit bounds, as a skip names it.
_NAMES = {"document_mb": "on a document's file", "text_mb": "on a document's text",
          "decompressed_mb": "on what a PDF inflates to",
          "seconds": "on the time to read one document"}


class LimitReached(Exception):
    """A document over one of its `Limits`; the message names the limit and its option."""


@dataclass(frozen=True)
class Limits:
    """What one document may cost to read and extract (see the module docstring)."""

    document_mb: float = 50
    text_mb: float = 5
    decompressed_mb: float = 200
    seconds: float = 60

    @property
    def document_bytes(self) -> int:
        return int(self.document_mb * MB)

    @property
    def text_chars(self) -> int:
        return int(self.text_mb * MB)

    @property
    def decompressed_bytes(self) -> int:
        return int(self.decompressed_mb * MB)

    def over(self, field: str, what: str) -> LimitReached:
        """The error for a document over limit `field`: "<what>; the limit ... is N MB
        (raise it with --option)", one line naming the limit and how to raise it."""
        unit = " s" if field == "seconds" else " MB"
        return LimitReached(f"{what}; the limit {_NAMES[field]} is {getattr(self, field):g}"
                            f"{unit} (raise it with {OPTIONS[field]})")

    def check_text(self, text: str) -> str:
        """`text`, or LimitReached when it is longer than `text_mb` allows."""
        if len(text) > self.text_chars:
            raise self.over("text_mb", f"has {len(text) / MB:.1f} MB of text")
        return text


class Deadline:
    """The moment a document's time is up; `check` raises LimitReached after it."""

    def __init__(self, limits: Limits, seconds: float | None = None):
        """A deadline `seconds` from now (default: all of `limits.seconds`)."""
        self.limits = limits
        self.end = time.monotonic() + (limits.seconds if seconds is None else seconds)

    @classmethod
    def never(cls) -> Deadline:
        """A deadline that never comes: for a document read outside a run's limits."""
        return cls(Limits(), math.inf)

    def left(self) -> float:
        """Seconds until the deadline (negative once past it)."""
        return self.end - time.monotonic()

    def check(self, doing: str) -> None:
        """Raise LimitReached, naming what it was `doing`, once the time is up."""
        if time.monotonic() > self.end:
            raise self.limits.over("seconds", f"took too long ({doing})")


def one_line(message: str, most: int = 400) -> str:
    """`message` on one line and at most `most` characters: a skip is one line of output,
    whatever a library's error message or a file's name holds."""
    flat = " ".join(str(message).split())
    return flat if len(flat) <= most else flat[: most - 1] + "…"
