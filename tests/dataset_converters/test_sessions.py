"""Session converters: GCE-GNN pickles (paper counts), raw logs vs SR-GNN's own algorithm."""
from __future__ import annotations

import calendar
import csv
import operator
import pickle
import time

import numpy as np
import pandas as pd
import pytest
import yaml

from dataset_converters import sessions
from dataset_converters.errors import ConversionError


def _read(path):
    return pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)


def srgnn_reference(path, dataset):
    """CRIPAC-DIG/SR-GNN datasets/preprocess.py, transcribed loop for loop (dates as UTC).

    Returns (train examples, test examples), each a list of (input list, target).
    """
    def to_date(text):
        fmt = "%Y-%m-%dT%H:%M:%S" if dataset == "yoochoose" else "%Y-%m-%d"
        return calendar.timegm(time.strptime(text[:19] if dataset == "yoochoose" else text, fmt))

    with open(path) as f:
        if dataset == "yoochoose":
            reader = csv.DictReader(f, delimiter=",", fieldnames=["session_id", "timestamp", "item_id", "category"])
        else:
            reader = csv.DictReader(f, delimiter=";")
        sess_clicks, sess_date, curid, curdate = {}, {}, -1, None
        for data in reader:
            sessid = data["session_id"]
            if curdate and not curid == sessid:
                sess_date[curid] = to_date(curdate)
            curid = sessid
            item = data["item_id"] if dataset == "yoochoose" else (data["item_id"], int(data["timeframe"]))
            curdate = data["timestamp"] if dataset == "yoochoose" else data["eventdate"]
            sess_clicks.setdefault(sessid, []).append(item)
        sess_date[curid] = to_date(curdate)
        if dataset != "yoochoose":
            for i in list(sess_clicks):
                sess_clicks[i] = [c[0] for c in sorted(sess_clicks[i], key=operator.itemgetter(1))]
    for s in list(sess_clicks):
        if len(sess_clicks[s]) == 1:
            del sess_clicks[s], sess_date[s]
    iid_counts = {}
    for s in sess_clicks:
        for iid in sess_clicks[s]:
            iid_counts[iid] = iid_counts.get(iid, 0) + 1
    for s in list(sess_clicks):
        filseq = [i for i in sess_clicks[s] if iid_counts[i] >= 5]
        if len(filseq) < 2:
            del sess_clicks[s], sess_date[s]
        else:
            sess_clicks[s] = filseq
    dates = list(sess_date.items())
    maxdate = max(d for _, d in dates)
    splitdate = maxdate - 86400 * (1 if dataset == "yoochoose" else 7)
    tra_sess = sorted([x for x in dates if x[1] < splitdate], key=operator.itemgetter(1))
    tes_sess = sorted([x for x in dates if x[1] > splitdate], key=operator.itemgetter(1))
    item_dict, item_ctr, tra, tes = {}, 1, [], []
    for s, _ in tra_sess:
        outseq = []
        for i in sess_clicks[s]:
            if i not in item_dict:
                item_dict[i], item_ctr = item_ctr, item_ctr + 1
            outseq.append(item_dict[i])
        tra.append(outseq)
    for s, _ in tes_sess:
        outseq = [item_dict[i] for i in sess_clicks[s] if i in item_dict]
        if len(outseq) >= 2:
            tes.append(outseq)

    def process_seqs(iseqs):
        return [(seq[:-i], seq[-i]) for seq in iseqs for i in range(1, len(seq))]

    return process_seqs(tra), process_seqs(tes)


def _examples(path_or_frame):
    df = path_or_frame if isinstance(path_or_frame, pd.DataFrame) else _read(path_or_frame)
    return [(lst.split(), tgt) for lst, tgt in zip(df["item_id_list:token_seq"], df["item_id:token"])]


def _as_text(examples, max_len=50):
    return [([str(i) for i in seq[-max_len:]], str(t)) for seq, t in examples]


def test_diginetica_pickles_give_paper_counts(shared_data, tmp_path):
    dest = sessions.convert(shared_data / "diginetica", tmp_path, valid="test")  # the papers' files
    train, test = _read(dest / "diginetica.train.inter"), _read(dest / "diginetica.test.inter")
    assert list(train.columns) == ["session_id:token", "item_id_list:token_seq", "item_id:token"]
    assert (len(train), len(test)) == (719_470, 60_858)
    both = pd.concat([train, test])
    listed = np.array(" ".join(both["item_id_list:token_seq"]).split(), dtype=np.int64)
    items = np.union1d(listed, both["item_id:token"].to_numpy().astype(np.int64))
    assert len(items) == 43_097
    # Spot-check against the pickles themselves: test rows verbatim, train = prefixes.
    with open(shared_data / "diginetica" / "test.txt", "rb") as fh:
        inputs, targets = pickle.load(fh)
    assert _examples(test.head(500)) == _as_text(list(zip(inputs, targets))[:500])
    with open(shared_data / "diginetica" / "all_train_seq.txt", "rb") as fh:
        seqs = pickle.load(fh)[:200]
    expected = [(s[:-i], s[-i]) for s in seqs for i in range(1, len(s))]
    assert _examples(train.head(len(expected))) == _as_text(expected)
    assert (dest / "diginetica.valid.inter").read_bytes() == (dest / "diginetica.test.inter").read_bytes()


def test_raw_diginetica_matches_srgnn_preprocess(shared_data, tmp_path):
    src = shared_data / "diginetica-raw-sample" / "sample_train-item-views.csv"
    dest = sessions.convert(src, tmp_path, name="digi", valid="test")
    ref_train, ref_test = srgnn_reference(src, "diginetica")
    assert len(ref_train) > 1000 and len(ref_test) > 50
    assert _examples(dest / "digi.train.inter") == _as_text(ref_train)
    assert _examples(dest / "digi.test.inter") == _as_text(ref_test)


def _yoochoose_log(path, n_sessions=400, seed=0):
    """A yoochoose-clicks.dat in the published format (no header, ISO times with ms + Z)."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2014-09-20T00:00:00")
    rows = []
    for s in range(1, n_sessions + 1):
        t = start + pd.Timedelta(seconds=int(rng.integers(0, 10 * 86400)))
        for _ in range(int(rng.integers(1, 7))):
            t += pd.Timedelta(seconds=int(rng.integers(1, 300)))
            item = int(214500000 + rng.zipf(1.6) % 300)
            rows.append(f"{s},{t.strftime('%Y-%m-%dT%H:%M:%S')}.{rng.integers(0, 999):03d}Z,{item},0")
    path.write_text("\n".join(rows) + "\n")


@pytest.mark.parametrize("fraction", [1, 4])
def test_raw_yoochoose_matches_srgnn_preprocess(tmp_path, fraction):
    src = tmp_path / "yoochoose-data"
    src.mkdir()
    _yoochoose_log(src / "yoochoose-clicks.dat")
    dest = sessions.convert(src, tmp_path / "out", fraction=fraction, valid="test")
    assert dest.name == ("yoochoose-data" if fraction == 1 else "yoochoose-data1_4")
    ref_train, ref_test = srgnn_reference(src / "yoochoose-clicks.dat", "yoochoose")
    keep = len(ref_train) // fraction
    assert keep > 50 and len(ref_test) > 5
    assert _examples(dest / f"{dest.name}.train.inter") == _as_text(ref_train[len(ref_train) - keep :])
    assert _examples(dest / f"{dest.name}.test.inter") == _as_text(ref_test)


def test_max_len_keeps_most_recent_items(tmp_path):
    src = tmp_path / "p"
    src.mkdir()
    (src / "all_train_seq.txt").write_bytes(pickle.dumps([list(range(1, 8))]))
    (src / "test.txt").write_bytes(pickle.dumps(([[1, 2, 3, 4, 5]], [6])))
    dest = sessions.convert(src, tmp_path / "out", max_len=3, valid="test")
    assert _examples(dest / "p.train.inter")[0] == (["4", "5", "6"], "7")
    assert _examples(dest / "p.test.inter") == [(["3", "4", "5"], "6")]


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("session_id,user_id,item_id,timeframe,eventdate\n1,NA,5,1,2016-05-09\n", r"csv:1: missing column.*separator ';'"),
        ("session_id;user_id;item_id;timeframe;eventdate\n1;NA;5;1;2016-05-09\n1;NA;x7;2;2016-05-09\n", r"csv:3: column 'item_id': 'x7'"),
        ("session_id;user_id;item_id;timeframe;eventdate\n1;NA;5;1;2016-05-09\n1;NA;6;2\n", r"csv:3: empty value in column 'eventdate'"),
        ("session_id;user_id;item_id;timeframe;eventdate\n1;NA;5;1;2016-05-09\n1;NA;6;2;09/05/2016\n", r"csv:3: column 'eventdate'"),
        ("session_id;user_id;item_id;timeframe;eventdate\n1;NA;5;1;2016-05-09\n1,NA,6,2,2016-05-09\n", r"csv:3: empty value in column 'item_id'"),
    ],
)
def test_bad_raw_log_names_line(tmp_path, text, match):
    src = tmp_path / "train-item-views.csv"
    src.write_text(text)
    with pytest.raises(ConversionError, match=match):
        sessions.convert(src, tmp_path / "out", name="d")
    assert not (tmp_path / "out" / "d").exists()


def test_bad_pickle_structure(tmp_path):
    src = tmp_path / "p"
    src.mkdir()
    (src / "all_train_seq.txt").write_bytes(pickle.dumps([[1, 2], [3, "a"]]))
    (src / "test.txt").write_bytes(pickle.dumps(([[1]], [2])))
    with pytest.raises(ConversionError, match="all_train_seq.txt: session 1, position 1: 'a' is not an integer item id"):
        sessions.convert(src, tmp_path / "out")
    (src / "test.txt").write_bytes(pickle.dumps([[1]]))
    with pytest.raises(ConversionError, match="test.txt: expected a pickled tuple"):
        sessions.convert(src, tmp_path / "out")


def test_gru4rec_trains_on_output(shared_data, tmp_path, recbole_train):
    sessions.convert(shared_data / "diginetica-raw-sample", tmp_path, name="digi", valid="test")
    config = {"train_neg_sample_args": None, "loss_type": "CE"}  # eval_args come from the converted yaml
    dataset, splits, result, losses = recbole_train("GRU4Rec", tmp_path, "digi", config)
    assert [len(s.dataset) for s in splits] == [1205, 99, 99]
    assert losses[1] < losses[0] and result["mrr@10"] > 0


def test_default_validation_holds_out_whole_training_sessions(shared_data, tmp_path):
    src = shared_data / "diginetica-raw-sample" / "sample_train-item-views.csv"
    full = _read(sessions.convert(src, tmp_path / "a", name="d", valid="test") / "d.train.inter")
    dest = sessions.convert(src, tmp_path / "b", name="d", valid_ratio=0.2, seed=1)  # valid="holdout" by default
    train, valid, test = (_read(dest / f"d.{s}.inter") for s in ("train", "valid", "test"))
    assert len(train) + len(valid) == len(full)
    assert set(train["session_id:token"]).isdisjoint(valid["session_id:token"])
    n_sessions = full["session_id:token"].nunique()
    assert valid["session_id:token"].nunique() == round(0.2 * n_sessions)
    assert not valid.equals(test)
    assert yaml.safe_load((dest / "d.yaml").read_text())["converter"]["valid"] == "holdout"
    again = sessions.convert(src, tmp_path / "c", name="d", valid_ratio=0.2, seed=1)
    assert _read(again / "d.valid.inter").equals(valid)


def test_validating_on_test_is_said_in_the_log_and_the_yaml(tmp_path, caplog):
    src = tmp_path / "p"
    src.mkdir()
    (src / "all_train_seq.txt").write_bytes(pickle.dumps([[1, 2, 3], [2, 3, 4]]))
    (src / "test.txt").write_bytes(pickle.dumps(([[1, 2]], [3])))
    with caplog.at_level("WARNING"):
        dest = sessions.convert(src, tmp_path / "out", valid="test")
    assert "the validation file is the test file" in caplog.text
    assert yaml.safe_load((dest / "p.yaml").read_text())["converter"]["valid_is_test"] is True
