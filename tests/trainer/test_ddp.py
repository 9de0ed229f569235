"""RecBole's DDP for the subgraph models: 2 gloo processes on CPU against one process."""
from __future__ import annotations

import socket

import pytest
import torch
import torch.multiprocessing as mp

from support import ddp
from support.subgraph import write_tiny_dataset


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = write_tiny_dataset(tmp_path_factory.mktemp("data"))
    out = tmp_path_factory.mktemp("ranks")
    mp.spawn(ddp.rank_main, args=(str(root), _free_port(), str(out)), nprocs=2, join=True)
    ranks = [torch.load(out / f"rank{r}.pt", weights_only=False) for r in range(2)]
    return ranks, ddp.run(root, None)


def test_ranks_see_disjoint_seeds_that_cover_the_epoch(runs):
    ranks, single = runs
    a, b = (set(r["seeds"].tolist()) for r in ranks)
    assert a and b and not a & b
    assert sorted(a | b) == sorted(single["seeds"].tolist())


def test_one_step_on_two_ranks_equals_one_process_on_their_union(runs):
    ranks, single = runs
    assert single["moved"] > 1e-3  # the step changed the weights
    for name, value in single["state"].items():
        torch.testing.assert_close(ranks[0]["state"][name], value, atol=1e-5, rtol=0)
        torch.testing.assert_close(ranks[1]["state"][name], value, atol=1e-5, rtol=0)


def test_evaluation_gathered_over_ranks_equals_one_process(runs):
    ranks, single = runs
    assert ranks[0]["metrics"] == ranks[1]["metrics"] == pytest.approx(single["metrics"], abs=1e-6)


def test_run_recbole_with_two_processes_trains_saves_and_tests(tmp_path):
    """`run_recbole --nproc=2` end to end: rank 0 saves the best model, both ranks load it."""
    from recbole_ctx.quick_start import run

    root = write_tiny_dataset(tmp_path)
    config = {"data_path": str(root), **ddp.SETTINGS, "epochs": 2, "checkpoint_dir": str(tmp_path / "saved")}
    result = run(ddp.MODEL, "tiny", config_dict=config, nproc=2, ip="127.0.0.1", port=str(_free_port()))
    assert result is not None and set(result["test_result"]) == {"recall@5", "ndcg@5"}
    assert len(list((tmp_path / "saved").glob("*.pth"))) == 1
