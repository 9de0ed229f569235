"""A RecBole ``Dataset`` method replaced by an equivalent, with RecBole's own kept at hand.

The fast paths (``atomic_reader``, ``inter_num_filter``, ``token_remap``) each replace one
method and fall back to the one they replaced for inputs they do not handle; benchmarks
and tests run RecBole's own inside :meth:`DatasetMethod.stock` to compare.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager


class DatasetMethod:
    """``recbole.data.dataset.Dataset.<name>``, replaceable by ``replacement``.

    Args:
        name: the method's attribute name on ``Dataset``.
        replacement: the function installed by :meth:`apply`.
    """

    def __init__(self, name: str, replacement: Callable):
        self.name = name
        self.replacement = replacement
        self.replaced: Callable | None = None
        """The method :meth:`apply` replaced (possibly already wrapped by another compat module)."""

    def apply(self) -> None:
        """Install the replacement (idempotent), keeping the current method as the fallback."""
        from recbole.data.dataset.dataset import Dataset

        if Dataset.__dict__[self.name] is self.replacement:
            return
        self.replaced = Dataset.__dict__[self.name]
        setattr(Dataset, self.name, self.replacement)

    def fallback(self, *args, **kwargs):
        """Call the replaced method."""
        return self.replaced(*args, **kwargs)

    @contextmanager
    def stock(self) -> Iterator[None]:
        """Within the block, the method is the one :meth:`apply` replaced."""
        from recbole.data.dataset.dataset import Dataset

        current = Dataset.__dict__[self.name]
        setattr(Dataset, self.name, self.replaced or current)
        try:
            yield
        finally:
            setattr(Dataset, self.name, current)
