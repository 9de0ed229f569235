"""The benchmark harness: suite parsing, resumability, tables, and the smoke suite end to end."""
import csv
import subprocess
import sys

import pytest

from recbole_ctx.bench import harness
from recbole_ctx.bench.results import aggregate, curve_table
from recbole_ctx.bench.suite import SuiteError, load_suite
from recbole_ctx.utils.paths import CONFIG_DIR

SUITE = """
name: t
datasets: [{name: ml-100k}]
models: [{name: BPR}, {name: LightGCN, label: LGN}]
seeds: [1, 2]
report_metrics: [Recall@10]
reference: {ml-100k: {LGN: {recall@10: 0.5, source: "a paper"}}}
"""


def _fake_result(model, dataset, config):
    return {"valid": {"recall@10": 0.1}, "test": {"recall@10": 0.1 * config["seed"] + (model == "LightGCN")},
            "epochs": 1, "train_s_per_epoch": 2.0, "wall_s": 3.0, "peak_rss_mb": 1.0,
            "peak_gpu_mb": 0.0, "device": "cpu",
            "valid_history": [{"epoch": e, "train_s": 2.0 * e, "recall@10": 0.05 * e + config["seed"]}
                              for e in (1, 2)]}


def test_suite_runs_are_resumable_and_summarised(tmp_path, monkeypatch):
    path = tmp_path / "t.yaml"
    path.write_text(SUITE)
    calls = []
    monkeypatch.setattr(harness, "_run_process", lambda m, d, c: calls.append((m, c["seed"])) or _fake_result(m, d, c))
    monkeypatch.setattr(harness, "plot", lambda *a, **k: None)
    plotted = []
    monkeypatch.setattr(harness, "plot_curves", lambda path, curves, metric, order: plotted.append(metric))
    suite = load_suite(path)
    harness.run_suite(suite, tmp_path / "out", tmp_path, None, None, None, rerun=False)
    assert sorted(calls) == [("BPR", 1), ("BPR", 2), ("LightGCN", 1), ("LightGCN", 2)]
    harness.run_suite(suite, tmp_path / "out", tmp_path, None, None, None, rerun=False)
    assert len(calls) == 4  # nothing re-run
    harness.run_suite(suite, tmp_path / "out", tmp_path, ["BPR"], [1], None, rerun=True)
    assert len(calls) == 5
    rows = list(csv.DictReader(open(tmp_path / "out" / "runs.csv")))
    assert len(rows) == 4
    summary = aggregate(rows, ["recall@10"])
    mean, std = summary[("ml-100k", "LGN")]["test_recall@10"]
    assert mean == pytest.approx(1.15) and std == pytest.approx(0.0707107, rel=1e-4)
    table = (tmp_path / "out" / "results.md").read_text()
    assert "| LGN | 1.1500 ± 0.0707 |" in table and "LGN (published) | 0.5000" in table and "a paper" in table
    # Learning curves: one row per validation pass; a re-run replaces its run's rows.
    curves = list(csv.DictReader(open(tmp_path / "out" / "curves.csv")))
    assert len(curves) == 8 and plotted[-1] == "recall@10"
    bpr1 = [c for c in curves if (c["model"], c["seed"]) == ("BPR", "1")]
    assert [(c["epoch"], float(c["train_s"]), float(c["recall@10"])) for c in bpr1] == [("1", 2.0, 1.05), ("2", 4.0, 1.1)]
    assert "valid_history" not in rows[0]
    table = (tmp_path / "out" / "results.md").read_text()
    assert "## ml-100k: validation recall@10 by training seconds" in table
    assert "| BPR | 1 | 1.1000 | 4: 1.1000 |" in table


def test_budget_reaches_each_run_and_rows_written_meanwhile_by_another_process_are_kept(tmp_path, monkeypatch):
    path = tmp_path / "t.yaml"
    path.write_text(SUITE)
    suite = load_suite(path)
    out = tmp_path / "out"
    configs = []

    def run_beside_another_bench(model, dataset, config):
        configs.append(config)
        if model == "LightGCN":  # a second bench process on the same folder finishes BPR meanwhile
            monkeypatch.setattr(harness, "_run_process", lambda m, d, c: _fake_result(m, d, c))
            harness.run_suite(suite, out, tmp_path, ["BPR"], [1], None, rerun=False)
        return _fake_result(model, dataset, config)

    monkeypatch.setattr(harness, "_run_process", run_beside_another_bench)
    monkeypatch.setattr(harness, "plot", lambda *a, **k: None)
    monkeypatch.setattr(harness, "plot_curves", lambda *a, **k: None)
    harness.run_suite(suite, out, tmp_path, ["LGN"], [1], None, rerun=False, train_budget_s=90.0)
    assert configs[0]["train_budget_s"] == 90.0
    rows = list(csv.DictReader(open(out / "runs.csv")))
    assert sorted(r["model"] for r in rows) == ["BPR", "LGN"]
    curves = list(csv.DictReader(open(out / "curves.csv")))
    assert sorted({c["model"] for c in curves}) == ["BPR", "LGN"]


def test_curve_table_reads_each_run_at_equal_training_seconds():
    curves = [{"model": m, "dataset": "d", "seed": "1", "epoch": str(e), "train_s": str(t), "recall@20": str(v)}
              for m, e, t, v in [("A", 1, 100, 0.1), ("A", 2, 200, 0.2), ("A", 3, 700, 0.3),
                                 ("B", 1, 250, 0.15), ("B", 2, 500, 0.25)]]
    table = curve_table(curves, "recall@20", ["B", "A"])
    lines = [line for line in table.splitlines() if line.startswith("| ")]
    assert lines[0] == "| model | seed | 60 s | 120 s | 300 s | 600 s | last pass (s: value) |"
    # B first (suite order); "-" before a run's first pass; a finished run keeps its last value.
    assert lines[1:] == ["| B | 1 | - | - | 0.1500 | 0.2500 | 500: 0.2500 |",
                         "| A | 1 | - | 0.1000 | 0.2000 | 0.2000 | 700: 0.3000 |"]


def test_bad_suite_names_file_and_key(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\nmodels: [BPR]\n")
    with pytest.raises(SuiteError, match=r"bad.yaml: missing key 'datasets'"):
        load_suite(path)


def test_every_shipped_suite_parses():
    suites = sorted((CONFIG_DIR / "bench").glob("*.yaml"))
    assert {"smoke", "static", "session", "sequential-ijcai", "temporal"} <= {p.stem for p in suites}
    for path in suites:
        assert load_suite(path).models


def test_smoke_suite_end_to_end(tmp_path):
    out = tmp_path / "smoke"
    proc = subprocess.run([sys.executable, "-m", "recbole_ctx.cli", "bench", "smoke", "--out", str(out)],
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = list(csv.DictReader(open(out / "runs.csv")))
    suite = load_suite(CONFIG_DIR / "bench" / "smoke.yaml")
    assert {r["model"] for r in rows} == {m.label for m in suite.models}
    for row in rows:
        assert 0.0 <= float(row["test_recall@10"]) <= 1.0 and float(row["train_s_per_epoch"]) > 0
    assert (out / "results.png").stat().st_size > 1000
    assert "| model | recall@10 | ndcg@10 |" in (out / "results.md").read_text()


SOURCED = """
name: s
datasets: [{name: g, source: gowalla, convert: [lightgcn, --valid-ratio, 0.5]}]
models: [{name: BPR}]
"""


def test_missing_raw_source_says_which_files_and_whence(tmp_path, capsys):
    path = tmp_path / "s.yaml"
    path.write_text(SOURCED)
    code = harness.main([str(path), "--data-dir", str(tmp_path / "raw"), "--data-path", str(tmp_path / "ds")])
    assert code == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'raw' / 'gowalla'}: not found" in err
    assert "train.txt, test.txt from LightGCN's release" in err and "--data-dir" in err


def test_suite_converts_from_the_data_dir(tmp_path):
    raw = tmp_path / "raw" / "gowalla"
    raw.mkdir(parents=True)
    (raw / "train.txt").write_text("0 0 1 2 3\n1 1 2 3 4\n")
    (raw / "test.txt").write_text("0 4\n1 0\n")
    path = tmp_path / "s.yaml"
    path.write_text(SOURCED)
    [spec] = load_suite(path).datasets
    assert harness.ensure_dataset(spec, tmp_path / "ds", tmp_path / "raw")
    assert (tmp_path / "ds" / "g" / "g.valid.inter").is_file()


def test_convert_without_source_is_refused(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(SOURCED.replace("source: gowalla, ", ""))
    with pytest.raises(SuiteError, match="'convert' but no 'source'"):
        load_suite(path)


def test_shipped_suites_name_known_sources_only():
    from recbole_ctx.bench.sources import SOURCES

    for path in (CONFIG_DIR / "bench").glob("*.yaml"):
        for spec in load_suite(path).datasets:
            assert spec.convert is None or spec.source in SOURCES, (path.name, spec.name)
