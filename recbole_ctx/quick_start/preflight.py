"""What ``run_recbole`` checks before any data loads, in the order a user's input is read.

1. :func:`check_sources` -- the config files (``--config_files`` and the dataset's yaml)
   exist and are YAML mappings, every key given on the command line or in a
   ``--config_files`` file is one RecBole or the plugin reads (a typo is refused with
   "did you mean", an unknown key warned of), and metric names exist.
2. :func:`check_run` -- the merged RecBole ``Config`` is built, its values checked
   (:mod:`recbole_ctx.quick_start.config_values`), and the atomic files the run will
   load are validated (:mod:`recbole_ctx.data.atomic_check`).

Every problem is one :class:`~recbole_ctx.quick_start.config_files.ConfigError` (or
:class:`~recbole_ctx.data.atomic_file.AtomicFileError`) line naming the key or file.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from recbole_ctx.quick_start.config_files import ConfigError, keys_with_lines, load_values, read_yaml_file


@dataclass
class Sources:
    """Where the user gave each key: on the command line, or in a ``--config_files`` file."""

    overrides: dict[str, str]
    file_keys: dict[str, tuple[str, int]] = field(default_factory=dict)

    def where(self, key: str) -> str:
        if key in self.overrides:
            return f"--{key}={self.overrides[key]}"
        if key in self.file_keys:
            path, line = self.file_keys[key]
            return f"{path}:{line}"
        return f"{key} (a default of RecBole, recbole-ctx or the dataset's yaml)"


def check_sources(model: str, dataset: str, config_files: list[str], overrides: dict[str, str],
                  data_path: str) -> tuple[Sources, list[str]]:
    """Step 1 (see the module's docstring); returns the sources and warnings to print.

    ``overrides`` are the raw ``--key=value`` strings, ``data_path`` the dataset folder.
    """
    from recbole_ctx.quick_start.arguments import check_overrides, config_files_for, expected_types
    from recbole_ctx.quick_start.config_keys import known_keys, unknown_key_problem
    from recbole_ctx.quick_start.config_values import metric_problem
    from recbole_ctx.utils.registry import get_model

    sources = Sources(dict(overrides))
    for path in config_files:  # later files win, as in RecBole
        sources.file_keys.update({k: (path, line) for k, line in keys_with_lines(read_yaml_file(path)).items()})
    dataset_yaml = Path(data_path) / f"{dataset}.yaml"
    dataset_keys = {}
    if dataset_yaml.exists():
        dataset_keys = keys_with_lines(read_yaml_file(dataset_yaml, "the dataset's config"))
    values = check_overrides(overrides, expected_types(config_files_for(model, dataset, config_files, data_path)))

    # The keys a converter wrote for this dataset (src_entity, ...) are known for it.
    known, warnings = known_keys(get_model(model)) | frozenset(dataset_keys), []
    for key in [*overrides, *sources.file_keys]:
        problem, refuse = unknown_key_problem(key, known)
        if refuse:
            raise ConfigError(f"{sources.where(key)}: {problem}")
        if problem:
            warnings.append(f"{sources.where(key)}: {problem}")

    if "metrics" in values:
        metrics = values["metrics"]
    elif "metrics" in sources.file_keys:
        metrics = load_values(sources.file_keys["metrics"][0])["metrics"]
    else:
        metrics = None  # the defaults' metrics, RecBole's and the project's, are known good
    problem = metric_problem(metrics) if metrics is not None else None
    if problem:
        raise ConfigError(f"{sources.where('metrics')}: metrics: {problem}")
    return sources, warnings


def check_run(model: str, dataset: str, config_files: list[str], sources: Sources) -> None:
    """Step 2: build the run's ``Config`` (from ``sys.argv``, as the run will), check its
    values and the atomic files it loads."""
    from recbole_ctx.data.atomic_check import check_dataset_files
    from recbole_ctx.quick_start.config_values import check_config
    from recbole_ctx.quick_start.quick_start import build_config

    try:
        config = build_config(model, dataset, config_files or None)
    except (NotImplementedError, KeyError, TypeError) as err:  # RecBole's own checks in Config
        raise ConfigError(f"config: {err}") from None
    check_config(config, sources.where)
    check_dataset_files(config)
