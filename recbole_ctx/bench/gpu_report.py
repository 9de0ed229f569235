"""``bench gpu``'s report: one table row per measurement, and the environment line."""
from __future__ import annotations

import datetime
import os
import platform
from dataclasses import dataclass

import torch


@dataclass
class Row:
    """One line of the table.

    Attributes:
        check: the check's name (:data:`recbole_ctx.bench.gpu_checks.CHECKS`).
        item: what was measured.
        device: where.
        value: the measurement, with its unit.
        ratio: against the check's baseline ("" when none).
        goal: the goal and whether this run met it ("" when none).
        peak_mib: peak GPU memory allocated by torch during the row's work (MiB; None on CPU).
        note: data and secondary numbers.
        failed: the row reports an error (or a non-finite loss).
    """

    check: str
    item: str
    device: str
    value: str = ""
    ratio: str = ""
    goal: str = ""
    peak_mib: float | None = None
    note: str = ""
    failed: bool = False


def format_table(rows: list[Row]) -> str:
    """The rows as one Markdown table."""
    lines = ["| check | item | device | measured | ratio | goal | peak GPU MiB | notes |",
             "|---|---|---|---|---|---|---:|---|"]
    for r in rows:
        peak = "-" if r.peak_mib is None else f"{r.peak_mib:,.0f}"
        lines.append(f"| {r.check} | {r.item} | {r.device} | {r.value} | {r.ratio} | {r.goal} | {peak} | {r.note} |")
    return "\n".join(lines)


def environment(device: torch.device) -> str:
    """One line: date, device name, versions."""
    import numpy
    import pandas
    import recbole

    name = torch.cuda.get_device_name(device) if device.type == "cuda" else f"CPU ({platform.processor() or platform.machine()})"
    return (f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, {name}, {os.cpu_count()} CPU cores; "
            f"python {platform.python_version()}, torch {torch.__version__}, recbole {recbole.__version__}, "
            f"numpy {numpy.__version__}, pandas {pandas.__version__}")
