"""Arrow tables scored without pandas for the answers: each question column split by distinct value in C.

A CSV read by pyarrow with the question columns dictionary-encoded (the
streaming reader does it on its own thread), a pyarrow table or a polars
frame: the answer columns become split columns straight from their Arrow
dictionaries (:func:`~yzmaturity._tables.cells.split_dictionary`), and only
the other columns (profile, ids) become a pandas frame.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import deps
from .cells import SplitColumn, split_dictionary, wants_numbers
from .read import arrow_to_pandas

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

    from .._compile import CompiledQuestionnaire

__all__ = ["ArrowBatch", "arrow_input", "is_text", "split_answers", "split_arrow", "with_names"]


@dataclass
class ArrowBatch:
    """Rows to score: a frame, and the answer columns still as dictionary-encoded Arrow arrays.

    ``header`` is the whole header when ``answers`` took columns out of ``frame``.
    """

    frame: pd.DataFrame
    answers: dict[str, Any] = field(default_factory=dict)
    header: list[str] | None = None


def arrow_input(source: Any) -> Any | None:
    """A pyarrow Table for a pyarrow table or record batch, or a polars frame; None for anything else."""
    module = type(source).__module__.split(".")[0]
    pa = deps.pyarrow() if module in ("pyarrow", "polars") else None
    if pa is None:
        return None
    if isinstance(source, pa.RecordBatch):
        return pa.Table.from_batches([source])
    if isinstance(source, pa.Table):
        return source
    if module == "polars" and hasattr(source, "to_arrow"):
        return source.to_arrow()
    return None


def split_arrow(pa: Any, pd: Any, table: Any, names: list[str], encode: Collection[str] = ()) -> ArrowBatch:
    """The answer columns named in ``encode`` taken apart as dictionaries, the rest as a frame.

    Text columns are dictionary-encoded here (a CSV reader delivers them
    encoded already); other types stay in the frame.  With duplicate column
    names nothing is taken apart: the header check reports them.
    """
    if len(set(names)) != len(names):
        return ArrowBatch(with_names(arrow_to_pandas(pd, table), names))
    import pyarrow.compute as pc  # type: ignore[import-untyped,unused-ignore]

    for i, f in enumerate(table.schema):
        if f.name in encode and is_text(pa, f.type):
            column = table.column(i)
            if not (pa.types.is_string(f.type) or pa.types.is_large_string(f.type)):
                column = pc.cast(column, pa.large_string())  # a string view (polars)
            table = table.set_column(i, f.name, pc.dictionary_encode(column))
    encoded = [f.name for f in table.schema if f.name in encode and _is_text_dictionary(pa, f.type)]
    if not encoded:
        return ArrowBatch(with_names(arrow_to_pandas(pd, table), names))
    table = table.unify_dictionaries()
    answers = {name: table.column(name).combine_chunks() for name in encoded}
    return ArrowBatch(arrow_to_pandas(pd, table.drop_columns(encoded)), answers, names)


def split_answers(pd: Any, cq: CompiledQuestionnaire, batch: ArrowBatch) -> dict[str, SplitColumn]:
    """The batch's answer columns as split columns."""
    return {
        name: split_dictionary(pd, array, wants_numbers(cq, cq.index[name]))
        for name, array in batch.answers.items()
        if name in cq.index
    }


def is_text(pa: Any, t: Any) -> bool:
    """Whether an Arrow type is text (string, large string or string view)."""
    return bool(
        pa.types.is_string(t) or pa.types.is_large_string(t) or getattr(pa.types, "is_string_view", bool)(t)
    )


def _is_text_dictionary(pa: Any, t: Any) -> bool:
    return bool(
        pa.types.is_dictionary(t)
        and (pa.types.is_string(t.value_type) or pa.types.is_large_string(t.value_type))
    )


def with_names(frame: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """The frame with the header's names (when as wide), as the file spells them."""
    if len(names) == frame.shape[1]:
        frame.columns = names
    return frame
