"""The README's option reference lists every key of the shipped defaults, so it cannot drift
from ``configs/model/*.yaml``, ``configs/shared/*.yaml`` and ``configs/overall.yaml``."""
import re
from pathlib import Path

import yaml

from recbole_ctx.utils.paths import CONFIG_DIR

README = Path(__file__).resolve().parents[1] / "README.md"


def _reference_section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("### Option reference")
    end = text.index("\n## ", start)
    return text[start:end]


def _default_files() -> list[Path]:
    return (sorted((CONFIG_DIR / "model").glob("*.yaml")) + sorted((CONFIG_DIR / "shared").glob("*.yaml"))
            + [CONFIG_DIR / "overall.yaml"])


def test_every_default_key_is_in_the_option_reference():
    listed = set(re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)`", _reference_section()))
    missing = {f"{path.name}: {key}" for path in _default_files()
               for key in (yaml.safe_load(path.read_text()) or {}) if key not in listed}
    assert not missing, f"add these keys to the README's option reference: {sorted(missing)}"


def test_readme_stays_a_guide():
    assert len(README.read_text(encoding="utf-8").splitlines()) <= 250
