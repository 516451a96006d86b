"""Tables of enterprises: one wide format, validated all at once, scored, written safely.

The wide format (see docs/batch.md) has one row per enterprise and these columns:

* **profile** columns named as the :class:`~yzmaturity.Enterprise` input fields:
  ``name`` (required), ``credit_code``, ``region``, ``industry``,
  ``employees``, ``revenue_yuan``, ``roles`` and ``certifications``
  (``;``-separated), ``rnd``, ``diagnosed``, ``planned_investment_yuan``,
  ``years_operating``;
* one column per **question id**: a single choice is the option id; a multiple
  choice option ids separated by ``;``; a yes/no ``true``/``false`` (also
  ``1``/``0`` and ``是``/``否``, any case); numbers as numbers (``35``, ``35.5``,
  ``1e6``); a blank cell is unanswered and ``n/a`` (any case) not applicable;
* **passthrough** columns, kept in the output unchanged: any column whose name
  starts with ``_``, and the columns named in ``id_columns``.

Any other column makes the whole table unusable (:class:`TableError` naming
it), as does a missing ``name`` column or a missing column of a required
question.  Spaces around a cell are ignored.  Anything else is an error of its
row, never a guess: every row is accounted for (invalid rows are in the output
with ``valid`` false, NaN scores and their problems in the error table).

Row numbers in errors are **1-based data rows**: row 1 is the first row under
the header (line 2 of a CSV file without multi-line cells, row 2 of a sheet).

Writing to CSV and XLSX guards against spreadsheet formula injection (OWASP):
a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return gets a leading ``'``, unless it is a plain decimal number; numbers are
never altered.

pandas is needed (the ``frames`` extra); XLSX needs openpyxl (``excel``),
Parquet and the fast CSV path pyarrow (``parquet``), progress bars tqdm
(``progress``).  All are imported on use only.

The modules, in import order (each imports only those above it):
``deps`` (optional packages), ``cells`` (what a cell means), ``fields``
(what each profile column accepts), ``dataset`` (a folder of Parquet files),
``read`` (files and frames), ``header``
(the columns), ``profile`` (the profile columns as arrays, by the rules of
``yzmaturity._profile``), ``progress``, ``score`` (orchestration, result
frames, scale-out), ``write`` (safe writing), ``stream`` (file to file in row
batches), ``template``.
"""

from __future__ import annotations

from .._exceptions import TableError
from .header import table_header
from .read import MAX_TABLE_BYTES, MAX_XLSX_BYTES, check_table_path, read_table
from .score import TableResult, output_meta, score_partition, score_table
from .stream import FileResult, score_file
from .template import table_columns, table_template
from .write import escape_formulas, write_table

__all__ = [
    "MAX_TABLE_BYTES",
    "MAX_XLSX_BYTES",
    "FileResult",
    "TableError",
    "TableResult",
    "check_table_path",
    "escape_formulas",
    "output_meta",
    "read_table",
    "score_file",
    "score_partition",
    "score_table",
    "table_columns",
    "table_header",
    "table_template",
    "write_table",
]
