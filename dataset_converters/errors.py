"""The one error type converters raise for bad input."""
from __future__ import annotations

from pathlib import Path


class ConversionError(Exception):
    """Bad or unusable converter input, located as precisely as the format allows.

    ``str(err)`` reads ``<file>:<line>: <problem>`` (``<file>: <problem>`` when no line
    applies, e.g. a missing file or a pickle), so the CLI prints it as the one message.
    ``line`` is 1-based and counts the header line when the file has one.
    """

    def __init__(self, file: str | Path, problem: str, line: int | None = None) -> None:
        self.file = str(file)
        self.line = line
        # One line whatever the cause says (relbench and duckdb messages span several).
        self.problem = " ".join(problem.split())
        where = self.file if line is None else f"{self.file}:{line}"
        super().__init__(f"{where}: {self.problem}")
