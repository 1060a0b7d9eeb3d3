"""The verdict on one checked file, shared by the EPUB and PDF checks."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Report:
    """The verdict on one file: problems fail the check, facts are printed."""

    file: str
    problems: list[str] = field(default_factory=list)  # Errors and warnings: any one fails the check.
    facts: list[str] = field(default_factory=list)  # What was found (fonts, outline entries …).

    @property
    def ok(self) -> bool:
        return not self.problems


__all__ = ["Report"]
