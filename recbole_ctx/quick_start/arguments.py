"""``--key=value`` overrides checked against the types RecBole expects, before any data loads.

RecBole reads each override with ``eval`` (falling back to the raw string) and only fails
when the value is used -- ``--epochs=abc`` ends, after the data and the model were built,
in ``TypeError: '<' not supported between 'str' and 'int'``.  Here each value is read the
way RecBole reads it (its own ``Config._convert_config_dict``) and compared with what the
configuration files say the key holds: the type RecBole's property files note beside it
(``epochs: 300  # (int) ...``) and the type of every default value given for it in
RecBole's files and this project's ``configs/``.  Keys no file knows pass unchecked.

``--device=cpu|cuda[:N]`` chooses the device (RecBole 1.2.1 itself derives the device from
``gpu_id`` and ignores ``device``): it becomes ``gpu_id``, and asking for a GPU that is not
there is an error.
"""
from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

_KIND_WORDS = {"int": int, "float": float, "str": str, "string": str, "bool": bool, "dict": dict, "list": list,
               "none": type(None), "tuple": tuple}
_COMMENTED = re.compile(r"^([A-Za-z_][\w-]*):[^#\n]*#\s*\(([^)]*)\)", re.MULTILINE)

# RecBole accepts ``gpu_id`` as a tuple of ids too (configurator.py:477 joins it).
_EXTRA_KINDS = {"gpu_id": {tuple, int}}


class OverrideError(ValueError):
    """A command-line override RecBole would misread or fail on later."""


@dataclass
class Expected:
    """What a key may hold, and where that is said."""

    kinds: set[type] = field(default_factory=set)
    sources: list[str] = field(default_factory=list)

    def accepts(self, value: Any) -> bool:
        kinds = set(self.kinds)
        if float in kinds:
            kinds.add(int)  # 1 is a fine learning rate
        if str in kinds:
            kinds |= {int, float}  # RecBole str()s such values (gpu_id=0, state=...)
        if dict in kinds:
            kinds.add(type(None))  # a feature configured by a dict is switched off with None
        if type(value) is bool:
            return bool in kinds
        return any(isinstance(value, k) for k in kinds if k is not bool)

    def describe(self) -> str:
        names = sorted({"None" if k is type(None) else k.__name__ for k in self.kinds})
        return " or ".join(names)


def _kinds_of_comment(text: str) -> set[type]:
    """``list of int`` -> {list}; ``list or int or None`` -> {list, int, None}."""
    kinds = set()
    for part in re.split(r"\bor\b|,", text.lower()):
        words = part.split()
        if words and words[0] in _KIND_WORDS:
            kinds.add(_KIND_WORDS[words[0]])
    return kinds


def _recbole_properties() -> Path:
    import importlib.util

    return Path(importlib.util.find_spec("recbole").submodule_search_locations[0]) / "properties"


def config_files_for(model: str, dataset: str, user_files: list[str], data_path: str | None) -> list[Path]:
    """Every file whose keys can describe this run, RecBole's own first."""
    from recbole_ctx.quick_start.quick_start import default_config_files

    props = _recbole_properties()
    files = [props / "overall.yaml", props / "dataset" / "sample.yaml", props / "model" / f"{model}.yaml"]
    files += sorted((props / "quick_start_config").glob("*.yaml"))
    files += [Path(f) for f in default_config_files(model, dataset, data_path)] + [Path(f) for f in user_files]
    return [f for f in files if f.is_file()]


def expected_types(files: list[Path]) -> dict[str, Expected]:
    """key -> :class:`Expected`, from the files' type comments and their default values."""
    from recbole.config import Config

    loader = Config._build_yaml_loader(None)  # RecBole's loader: 1e-3 is a float, as RecBole reads it
    expected: dict[str, Expected] = {}
    for path in files:
        text = path.read_text(encoding="utf-8")
        for key, comment in _COMMENTED.findall(text):
            kinds = _kinds_of_comment(comment)
            if kinds:
                entry = expected.setdefault(key, Expected())
                entry.kinds |= kinds
                entry.sources.append(f"{path.name}: ({comment})")
        values = yaml.load(text, Loader=loader) or {}
        for key, value in values.items() if isinstance(values, dict) else ():
            entry = expected.setdefault(key, Expected())
            entry.kinds.add(type(value))
            entry.sources.append(f"{path.name}: {value!r}")
    for key, extra in _EXTRA_KINDS.items():
        if key in expected:
            expected[key].kinds |= extra
    return expected


def parse_overrides(args: list[str]) -> dict[str, str]:
    """``--key=value`` strings -> {key: raw value}; anything else is refused (RecBole would
    silently ignore ``--epochs 5``)."""
    raw: dict[str, str] = {}
    for arg in args:
        if not arg.startswith("--") or arg.count("=") != 1 or arg.startswith("--="):
            hint = f" (write {arg}=VALUE)" if arg.startswith("--") and "=" not in arg else ""
            raise OverrideError(f"unrecognised argument {arg!r}: config overrides are --key=value{hint}")
        key, value = arg[2:].split("=")
        if key in raw and raw[key] != value:
            raise OverrideError(f"--{key} is given twice, as {raw[key]!r} and {value!r}")
        raw[key] = value
    return raw


def check_overrides(raw: dict[str, str], expected: dict[str, Expected]) -> dict[str, Any]:
    """RecBole's reading of each override, after checking it against ``expected``; returns
    {key: value}.  Raises :class:`OverrideError` naming the key, the value and the expected type."""
    from recbole.config import Config

    values = Config._convert_config_dict(None, dict(raw))
    for key, value in values.items():
        entry = expected.get(key)
        if entry is not None and entry.kinds and not entry.accepts(value):
            raise OverrideError(
                f"--{key}={raw[key]}: expected {entry.describe()}, got {type(value).__name__} "
                f"(RecBole reads the value with Python syntax; defaults: {'; '.join(entry.sources[:3])})"
            )
    return values


def device_override(raw: dict[str, str]) -> dict[str, str]:
    """Turn ``device`` into the ``gpu_id`` RecBole derives the device from; refuse absent GPUs.

    Returns the overrides to pass on (``device`` replaced).  ``gpu_id`` alone is left to
    RecBole (its default ``'0'`` means "the GPU if there is one").
    """
    out = dict(raw)
    device = out.pop("device", None)
    if device is not None:
        if device == "cpu":
            if out.get("gpu_id", ""):
                raise OverrideError(f"--device=cpu contradicts --gpu_id={out['gpu_id']}")
            out["gpu_id"] = ""
        elif re.fullmatch(r"cuda(:\d+)?", device):
            if ":" in device:
                out["gpu_id"] = device.split(":")[1]
            _require_gpus(out.get("gpu_id", "0"), f"--device={device}")
        else:
            raise OverrideError(f"--device={device}: expected cpu, cuda or cuda:N")
    return out


def _require_gpus(gpu_id: str, asked: str) -> None:
    import torch

    ids = [int(i) for i in re.findall(r"\d+", gpu_id)]
    count = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if count == 0:
        raise OverrideError(f"{asked}: no CUDA device here (torch {torch.__version__}, torch.cuda.is_available() is "
                            "False); run on the CPU with --device=cpu")
    missing = [i for i in ids if i >= count]
    if missing:
        raise OverrideError(f"{asked}: GPU {missing[0]} does not exist ({count} visible); use --device=cuda:0 .. "
                            f"cuda:{count - 1}, or --device=cpu")


@contextmanager
def plain_argv() -> Iterator[None]:
    """Hide ``sys.argv`` from RecBole's ``Config``, which reads every ``--key=value`` in it:
    a plugin command's own flags are not RecBole keys."""
    saved = sys.argv
    sys.argv = saved[:1]
    try:
        yield
    finally:
        sys.argv = saved
