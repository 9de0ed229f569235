"""``recbole-ctx locality``: the locality score of a converted temporal dataset, per split.

    recbole-ctx locality --dataset=rel-ml100k-user-movie-rate --k 1 3 [--data_path=DIR] [--device=cuda]
"""
from __future__ import annotations

import argparse
import sys

SPLIT_NAMES = {"train": "train", "valid": "val", "test": "test"}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="recbole-ctx locality",
                                description="Fraction of ground-truth items inside each user's k-hop "
                                            "neighbourhood up to the seed time (ContextGNN eq. 1).")
    p.add_argument("--dataset", "-d", required=True, help="converted temporal dataset name")
    p.add_argument("--k", type=int, nargs="+", default=[1, 3], help="subgraph depths (default: 1 3)")
    p.add_argument("--splits", nargs="+", default=["valid", "test"], choices=list(SPLIT_NAMES))
    # run_recbole's spellings (--data_path, --config_files) and the dashed ones both work.
    p.add_argument("--data_path", "--data-path", dest="data_path", default=None,
                   help="folder holding <dataset>/ (RecBole data_path)")
    p.add_argument("--config_files", "--config-files", dest="config_files", nargs="*", default=[],
                   help="extra RecBole config files")
    p.add_argument("--batch-size", "--batch_size", dest="batch_size", type=int, default=256, help="seeds per sampler call")
    p.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from recbole_ctx.quick_start.arguments import OverrideError, device_override, plain_argv

    try:
        device_override({"device": args.device})
    except OverrideError as err:
        print(f"recbole-ctx locality: {err}", file=sys.stderr)
        return 2
    from recbole_ctx.data import TemporalDataset, graph_of
    from recbole_ctx.data.temporal_task import is_temporal
    from recbole_ctx.quick_start.quick_start import DatasetNotFoundError, build_config
    from recbole_ctx.data.locality_score import locality_score

    overrides = {"data_path": args.data_path} if args.data_path else {}
    try:
        with plain_argv():
            config = build_config("BPR", args.dataset, args.config_files, overrides)
        if not is_temporal(config):
            raise ValueError(f"dataset {args.dataset!r} is not temporal (its yaml has no val_timestamp)")
        dataset = TemporalDataset(config)
    except (ValueError, DatasetNotFoundError) as err:
        print(f"recbole-ctx locality: {err}", file=sys.stderr)
        return 2
    graph = graph_of(dataset).to(args.device)
    print(f"locality score, {args.dataset}")
    print(f"{'split':<8}" + "".join(f"{'k=' + str(k):>10}" for k in args.k) + f"{'examples':>10}")
    for split in args.splits:
        examples = dataset.temporal_examples[split]
        scores = [locality_score(graph, examples, k, args.batch_size, show_progress=True) for k in args.k]
        print(f"{SPLIT_NAMES[split]:<8}" + "".join(f"{s:>10.3f}" for s in scores) + f"{len(examples):>10}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
