"""Benchmark suite files (``configs/bench/<name>.yaml``) and their validation.

A suite names datasets (with an optional ``convert`` step that builds the
dataset from its raw ``source``, a sub-folder of the user's ``--data-dir``, when its
folder is missing), a protocol (RecBole config
keys shared by every run), models (each with its own config overrides), seeds,
a budget, and published reference numbers with their source.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


class SuiteError(ValueError):
    """A suite file is malformed; the message names the file and the key."""


@dataclass(frozen=True)
class DatasetSpec:
    name: str
    convert: list[str] | None = None  # `recbole-ctx convert` format and options (no source, no --out)
    source: str | None = None  # sub-folder of --data-dir holding the raw files (recbole_ctx.bench.sources)
    config: dict[str, Any] = field(default_factory=dict)
    optional: bool = False  # skipped with a notice when the user has not provided it


@dataclass(frozen=True)
class ModelSpec:
    name: str
    label: str
    config: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Suite:
    name: str
    description: str
    datasets: list[DatasetSpec]
    models: list[ModelSpec]
    seeds: list[int]
    protocol: dict[str, Any]
    budget: dict[str, Any]
    report_metrics: list[str]
    reference: dict[str, dict[str, dict[str, Any]]]
    path: Path

    def run_config(self, model: ModelSpec, dataset: DatasetSpec, seed: int) -> dict[str, Any]:
        """RecBole config dict of one run; later keys win: protocol < budget < dataset < model."""
        return {**self.protocol, **self.budget, **dataset.config, **model.config, "seed": seed}


def _require(doc: dict, key: str, kind: type, path: Path) -> Any:
    if key not in doc:
        raise SuiteError(f"{path}: missing key '{key}'")
    if not isinstance(doc[key], kind):
        raise SuiteError(f"{path}: '{key}' must be a {kind.__name__}, got {type(doc[key]).__name__}")
    return doc[key]


def load_suite(path: str | Path) -> Suite:
    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text())
    except yaml.YAMLError as err:
        raise SuiteError(f"{path}: not valid YAML: {err}") from None
    if not isinstance(doc, dict):
        raise SuiteError(f"{path}: expected a mapping at the top level")
    datasets = []
    for i, d in enumerate(_require(doc, "datasets", list, path)):
        if not isinstance(d, dict) or "name" not in d:
            raise SuiteError(f"{path}: datasets[{i}] needs a 'name'")
        if d.get("convert") is not None and d.get("source") is None:
            raise SuiteError(f"{path}: datasets[{i}] has 'convert' but no 'source' (its folder under --data-dir)")
        datasets.append(DatasetSpec(str(d["name"]), convert=d.get("convert"), source=d.get("source"),
                                    config=dict(d.get("config") or {}), optional=bool(d.get("optional", False))))
    models = []
    for i, m in enumerate(_require(doc, "models", list, path)):
        m = {"name": m} if isinstance(m, str) else m
        if not isinstance(m, dict) or "name" not in m:
            raise SuiteError(f"{path}: models[{i}] needs a 'name'")
        models.append(ModelSpec(str(m["name"]), str(m.get("label", m["name"])), dict(m.get("config") or {})))
    labels = [m.label for m in models]
    if len(set(labels)) != len(labels):
        raise SuiteError(f"{path}: model labels must be unique, got {labels}")
    seeds = [int(s) for s in doc.get("seeds", [2020])]
    protocol = dict(doc.get("protocol") or {})
    return Suite(
        name=str(doc.get("name", path.stem)),
        description=str(doc.get("description", "")),
        datasets=datasets,
        models=models,
        seeds=seeds,
        protocol=protocol,
        budget=dict(doc.get("budget") or {}),
        report_metrics=[m.lower() for m in doc.get("report_metrics", [])],
        reference=dict(doc.get("reference") or {}),
        path=path,
    )
