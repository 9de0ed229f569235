"""Converters from published recommendation data to RecBole atomic files.

One module per source format (:mod:`.relbench`, :mod:`.ijcai`, :mod:`.lightgcn`,
:mod:`.sessions`), each with ``convert(src, out, ...) -> Path``; the command line is
``recbole-ctx convert <format> SRC --out DIR`` (:mod:`.cli`).  See README.md.
"""
