"""Restricted unpickling: published pickles are data, never code.

``pickle.load`` executes whatever callable a file names.  The formats we read need at
most plain containers (lists / tuples / ints / None) or a scipy CSR matrix built from
numpy arrays, so :func:`load_pickle` admits exactly those globals and refuses every other
one before it is imported.
"""
from __future__ import annotations

import io
import pickle
from pathlib import Path
from typing import Any, Literal

import numpy as np

from .errors import ConversionError

# Globals a pickled scipy CSR matrix references (old and new module paths): the class,
# and numpy's array reconstructor.  Nothing here can run arbitrary code.
_SPARSE_GLOBALS = frozenset(
    {
        ("scipy.sparse.csr", "csr_matrix"),
        ("scipy.sparse._csr", "csr_matrix"),
        ("scipy.sparse._csr", "csr_array"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
    }
)

Allowed = Literal["plain", "sparse"]


class _RestrictedUnpickler(pickle.Unpickler):
    def __init__(self, fh: io.BufferedIOBase, allowed: frozenset[tuple[str, str]], path: Path) -> None:
        super().__init__(fh)
        self._allowed = allowed
        self._path = path

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self._allowed:
            raise ConversionError(
                self._path, f"refusing to unpickle global {module}.{name}: this format only holds data"
            )
        if module == "scipy.sparse.csr":
            # The deprecated alias module warns on import; the class is the same.
            from scipy.sparse import csr_matrix

            return csr_matrix
        return super().find_class(module, name)


def load_pickle(path: str | Path, allowed: Allowed) -> Any:
    """Unpickle ``path`` admitting only ``allowed`` content.

    ``"plain"``: lists, tuples, ints, None (no global may be referenced).
    ``"sparse"``: additionally scipy CSR matrices of numeric numpy arrays.
    Any other global, or an object-dtype array, raises :class:`ConversionError`.
    """
    path = Path(path)
    globals_ = _SPARSE_GLOBALS if allowed == "sparse" else frozenset()
    try:
        with open(path, "rb") as fh:
            obj = _RestrictedUnpickler(fh, globals_, path).load()
    except ConversionError:
        raise
    except FileNotFoundError:
        raise ConversionError(path, "file not found") from None
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError) as err:
        raise ConversionError(path, f"not a readable pickle ({type(err).__name__}: {err})") from None
    if allowed == "sparse":
        _check_numeric_arrays(obj, path)
    return obj


def _check_numeric_arrays(obj: Any, path: Path) -> None:
    # An object-dtype ndarray could smuggle arbitrary (restricted, but unexpected) values.
    for attr in ("data", "indices", "indptr"):
        arr = getattr(obj, attr, None)
        if isinstance(arr, np.ndarray) and arr.dtype == object:
            raise ConversionError(path, f"sparse matrix field {attr!r} has object dtype")
