"""Config files checked before RecBole reads them: each must exist and be a YAML mapping.

RecBole's ``Config`` opens every file itself and lets ``yaml.parser.ParserError`` (which
names no file) or ``FileNotFoundError`` end the run in a traceback.  Here each file is
read once with RecBole's own YAML loader and a problem is one
:class:`ConfigError` ``FILE:LINE: problem``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


class ConfigError(ValueError):
    """A config file, key or value a run would misread or fail on; the message is one line."""


def _loader() -> type:
    from recbole.config import Config

    return Config._build_yaml_loader(None)  # RecBole's loader: 1e-3 is a float, as RecBole reads it


def read_yaml_file(path: str | Path, role: str = "named by --config_files") -> yaml.MappingNode | None:
    """The top-level mapping node of ``path`` (``None`` for an empty file).

    Raises:
        ConfigError: ``FILE: no such file`` / ``FILE: not UTF-8`` / ``FILE:LINE: not YAML
            (problem)`` / ``FILE:LINE: not a mapping of keys``.
    """
    file = Path(path)
    if not file.is_file():
        raise ConfigError(f"{path}: no such file ({role})" if not file.exists() else f"{path}: not a file ({role})")
    raw = file.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        raise ConfigError(f"{path}:{line}: not UTF-8 (byte {raw[err.start]:#04x})") from None
    try:
        node = yaml.compose(text, Loader=_loader())
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        if mark is None or mark.index >= len(text.rstrip()):  # at the end of the file: point at
            mark = getattr(err, "context_mark", None) or mark  # the construct left open instead
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise ConfigError(f"{where}: not YAML ({problem})") from None
    if node is not None and not isinstance(node, yaml.MappingNode):
        raise ConfigError(f"{path}:{node.start_mark.line + 1}: not a mapping of config keys (key: value lines)")
    return node


def keys_with_lines(node: yaml.MappingNode | None) -> dict[str, int]:
    """Top-level key -> its line number in the file."""
    if node is None:
        return {}
    return {str(key.value): key.start_mark.line + 1 for key, _ in node.value}


def load_values(path: str | Path) -> dict[str, Any]:
    """The file's values as RecBole reads them (after :func:`read_yaml_file` accepted it)."""
    values = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_loader())
    return values or {}
