"""Config keys nobody reads: a misspelt one is refused with "did you mean", others are warned of.

RecBole keeps every key it is given and ignores the ones no code reads, so
``--epoch=1`` trained the default 300 epochs.  The keys that can matter are those
RecBole's property files and this project's ``configs/`` give, and those the code reads:
``config["key"]``, ``config.get("key")``, ``"key" in config`` in RecBole's sources, this
plugin's and the model's own module (a model registered from elsewhere brings its keys).
That collection is generous on purpose; a key outside it is refused only when a known
key is close to it (a typo), otherwise passed on with a warning (a user's own key).
"""
from __future__ import annotations

import difflib
import functools
import importlib.util
import inspect
import re
from pathlib import Path

import yaml

from recbole_ctx.utils.paths import CONFIG_DIR

_PACKAGE_DIR = Path(__file__).resolve().parents[1]
_READ_KEY = re.compile(
    r"""config\w*(?:\.final_config_dict)?\s*(?:\[\s*|\.get\(\s*|\.setdefault\(\s*)["']([A-Za-z_]\w*)["']"""
    r"""|["']([A-Za-z_]\w*)["']\s+(?:not\s+)?in\s+(?:self\.)?config\b""")
_CLOSE = 0.85  # difflib ratio: "epoch" ~ "epochs" (0.91), "lerning_rate" ~ "learning_rate" (0.96)


def _recbole_dir() -> Path:
    return Path(importlib.util.find_spec("recbole").submodule_search_locations[0])


def _yaml_keys(folder: Path) -> set[str]:
    keys: set[str] = set()
    for path in folder.rglob("*.yaml"):
        try:
            values = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError:  # RecBole's own files use its loader's float syntax only
            continue
        if isinstance(values, dict):
            keys |= {str(k) for k in values}
    return keys


def _read_keys(files: list[Path]) -> set[str]:
    keys: set[str] = set()
    for path in files:
        for match in _READ_KEY.finditer(path.read_text(encoding="utf-8", errors="replace")):
            keys.add(match[1] or match[2])
    return keys


@functools.lru_cache(maxsize=None)
def _static_known_keys() -> frozenset[str]:
    recbole = _recbole_dir()
    sources = [*recbole.rglob("*.py"), *_PACKAGE_DIR.rglob("*.py")]
    return frozenset(_yaml_keys(recbole / "properties") | _yaml_keys(CONFIG_DIR) | _read_keys(sources))


def known_keys(model_class: type | None = None) -> frozenset[str]:
    """Every key RecBole, recbole-ctx or ``model_class``'s module lists or reads."""
    keys = _static_known_keys()
    source = inspect.getsourcefile(model_class) if model_class is not None else None
    if source and not Path(source).resolve().is_relative_to(_recbole_dir()):
        keys = keys | _read_keys([Path(source)])
    return keys


def unknown_key_problem(key: str, known: frozenset[str]) -> tuple[str, bool]:
    """(what to say about ``key``, whether to refuse it); ``("", False)`` for a known key."""
    if key in known:
        return "", False
    close = difflib.get_close_matches(key, known, n=3, cutoff=_CLOSE)
    if not close:
        close = [k for k in known if k.lower() == key.lower()]
    if close:
        return f"unknown config key {key!r}; did you mean {' or '.join(map(repr, close))}?", True
    return f"config key {key!r} is read by neither RecBole nor recbole-ctx; passed on unchanged", False
