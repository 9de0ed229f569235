"""The atomic files a run loads, validated in one vectorised pass before RecBole reads them.

RecBole's reader accepted rows with a field too few (read as missing) and stopped on others
with messages naming neither file nor line (``not enough values to unpack``, a codec
error).  Here each file the run will load (as RecBole decides: ``benchmark_filename``,
``load_col`` / ``unload_col``, ``.kg`` / ``.link`` for knowledge-aware models) is read
once and checked by :mod:`recbole_ctx.data.atomic_file`:

- it is not empty, starts with no byte-order mark, and a file of events (``.inter``,
  the benchmark files, the temporal ``.label`` files) has rows after its header;
- the header is ``name:type`` fields of RecBole's types, without duplicates, and holds
  every field ``load_col`` asks for;
- the bytes decode in the configured encoding (UTF-8 by default);
- every row has as many fields as the header;
- loaded ``float`` / ``float_seq`` fields hold numbers, user and item ids of event files
  are not empty;
- temporal tasks: every user and item of the ``.train/.valid/.test.label`` rows exists
  in ``.inter`` (or ``.user`` / ``.item``): a label naming an unknown entity would get a
  new id of its own and change the metrics.  ``.edge`` rows naming unknown users or items
  keep their documented rule: they are dropped with a warning naming the file
  (``recbole_ctx.data.graph_from_dataset``); the file's structure is checked here.

A problem is one :class:`AtomicFileError`: ``FILE:LINE: problem`` (``FILE: problem``
when no single line is at fault).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from recbole_ctx.data.atomic_file import (
    Layout,
    check_numbers,
    check_rows,
    error_at,
    first_false,
    read_columns,
    read_layout,
)
from recbole_ctx.data.temporal_task import LABEL_SPLITS, is_temporal

EDGE_SUFFIX = "edge"


@dataclass
class _Settings:
    folder: Path
    name: str
    separator: str
    encoding: str
    load_col: Any
    unload_col: Any
    uid: str | None
    iid: str | None
    time: str | None
    seq_separator: str


def _wanted(settings: _Settings, source: str) -> list[str] | None:
    """The fields ``load_col`` asks RecBole to load from ``source`` (``[]``: all of the
    header's; ``None``: RecBole does not open the file at all)."""
    if settings.load_col is None:
        return []
    if source not in settings.load_col:
        return None
    return list(settings.load_col[source])


def _check_recbole_file(settings: _Settings, path: Path, source: str, events: bool) -> Layout | None:
    """Check one file RecBole's ``Dataset`` reads; returns its layout (``None``: not read)."""
    wanted = _wanted(settings, source)
    if wanted is None:
        return None
    layout = read_layout(str(path), settings.separator, settings.encoding)
    header = [n for n, _ in layout.fields]
    absent = [f for f in wanted if f not in header]
    if absent:
        raise error_at(layout.path, 1, f"no field {absent[0]!r}, which load_col.{source} asks for "
                                    f"(header: {', '.join(header)})")
    unload = set((settings.unload_col or {}).get(source, []) or [])
    loaded = [f for f in (wanted or header) if f not in unload]
    ids = [f for f in (settings.uid, settings.iid) if f in loaded] if events else []
    check_rows(layout, settings.separator, settings.encoding, events, ids)
    check_numbers(layout, loaded, settings.separator, settings.seq_separator, settings.encoding)
    return layout


def _check_labels(settings: _Settings, entity_files: list[Layout]) -> None:
    """The temporal ``.label`` files: structure, and users/items known to ``entity_files``
    (the loaded ``.inter``, ``.user`` and ``.item`` files)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    known: dict[str, list[Any]] = {}
    for layout in entity_files:
        fields = [f for f in (settings.uid, settings.iid) if layout.column_index(f) is not None]
        for field, column in read_columns(layout, fields, settings.separator, settings.encoding).items():
            known.setdefault(field, []).append(column)
    for split in LABEL_SPLITS:
        path = settings.folder / f"{settings.name}.{split}.label"
        if not path.is_file():
            raise error_at(str(path), None, "no such file (a temporal task has .train/.valid/.test.label files)")
        layout = read_layout(str(path), settings.separator, settings.encoding)
        header = [n for n, _ in layout.fields]
        absent = [f for f in (settings.uid, settings.time, settings.iid) if f not in header]
        if absent:
            raise error_at(str(path), 1, f"no field {absent[0]!r} (a label row is user, seed time, item; "
                                      f"header: {', '.join(header)})")
        ids = [settings.uid, settings.iid]
        check_rows(layout, settings.separator, settings.encoding, True, ids)
        check_numbers(layout, header, settings.separator, settings.seq_separator, settings.encoding)
        for field, column in read_columns(layout, ids, settings.separator, settings.encoding).items():
            universe = pa.chunked_array(known.get(field, []), type=pa.string()).unique()
            row = first_false(pc.is_in(column, value_set=universe))
            if row is not None:
                source = ".user" if field == settings.uid else ".item"
                raise error_at(str(path), layout.line(row),
                            f"{field} {column[row].as_py()!r} appears in no .inter row nor {source} "
                            "(it would get an id of its own and change the metrics)")


def check_dataset_files(config: Any) -> None:
    """Validate the atomic files the run of ``config`` loads (see the module's docstring).

    Raises:
        AtomicFileError: ``FILE:LINE: problem`` for the first problem found.
    """
    folder = Path(config["data_path"])
    name = config["dataset"]
    if not folder.is_dir():
        return  # RecBole's bundled datasets are downloaded; a missing folder is reported elsewhere
    # RecBole's dataset/sample.yaml always sets both separators; it leaves ``encoding`` unset
    # (None), which RecBole's pandas.read_csv reads as UTF-8.
    encoding = "utf-8" if config["encoding"] is None else config["encoding"]
    settings = _Settings(folder, name, config["field_separator"], encoding,
                         config["load_col"], config["unload_col"], config["USER_ID_FIELD"], config["ITEM_ID_FIELD"],
                         config["TIME_FIELD"], config["seq_separator"])
    benchmark = config["benchmark_filename"]
    inter_files = [folder / f"{name}.{part}.inter" for part in benchmark] if benchmark else [folder / f"{name}.inter"]
    loaded: list[Layout | None] = []
    for path in inter_files:
        if not path.is_file():
            raise error_at(str(path), None, "no such file" + (" (named by benchmark_filename)" if benchmark else ""))
        loaded.append(_check_recbole_file(settings, path, "inter", events=True))
    for source in ("user", "item"):
        path = folder / f"{name}.{source}"
        if path.is_file():
            loaded.append(_check_recbole_file(settings, path, source, events=False))
    from recbole.utils import ModelType

    if config["MODEL_TYPE"] == ModelType.KNOWLEDGE:
        for source in ("kg", "link"):
            path = folder / f"{name}.{source}"
            if path.is_file():
                _check_recbole_file(settings, path, source, events=False)
    if is_temporal(config):
        _check_labels(settings, [layout for layout in loaded if layout is not None])
        edge = folder / f"{name}.{EDGE_SUFFIX}"
        if edge.is_file():
            layout = scan(str(edge), settings.separator, settings.encoding, need_rows=False)
            check_numbers(layout, [n for n, _ in layout.fields], settings.separator, settings.seq_separator,
                          settings.encoding)
