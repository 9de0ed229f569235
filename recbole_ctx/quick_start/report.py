"""A readable valid/test metrics table for the end of a run."""
from __future__ import annotations

from typing import Any


def format_results(model: str, dataset: str, result: dict[str, Any]) -> str:
    """Markdown-style table: one row per metric, columns best-valid and test."""
    valid = result.get("best_valid_result") or {}
    test = result.get("test_result") or {}
    names = list(dict.fromkeys(list(valid) + list(test)))
    width = max([len("metric")] + [len(n) for n in names])
    lines = [f"{model} on {dataset}", f"| {'metric':<{width}} | {'valid':>8} | {'test':>8} |",
             f"|{'-' * (width + 2)}|{'-' * 10}|{'-' * 10}|"]
    for name in names:
        v, t = valid.get(name), test.get(name)
        lines.append(f"| {name:<{width}} | {_cell(v)} | {_cell(t)} |")
    return "\n".join(lines)


def _cell(value: Any) -> str:
    return f"{value:>8.4f}" if isinstance(value, (int, float)) else f"{'-':>8}"
