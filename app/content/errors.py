"""Problems found in content, returned as values so one run reports them all."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ContentError:
    """A file that could not be read or understood: `path:line: reason`."""

    path: str
    line: int
    reason: str
    severity: str = "error"  # "error" skips the page; "warning" imports it anyway

    def __str__(self) -> str:
        # Problems with a whole file (unreadable, unsafe name) have no line to point at.
        if not self.line:
            return f"{self.path}: {self.reason}"
        return f"{self.path}:{self.line}: {self.reason}"


class ContentProblem(ValueError):
    """Raised inside the reader, turned into a ContentError at the file boundary."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason
