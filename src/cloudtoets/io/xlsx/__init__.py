"""The inventory as an Excel workbook (.xlsx): reading, writing and the empty template.

One sheet per list (``organisations``, ``providers``, ``registrations``; Dutch names
``organisaties``, ``leveranciers``, ``registraties`` are accepted too) and ``justifications``
(``afwijkingen``) with one row per justification, tied to its registration by the
``registration`` column. Row 1 holds the column keys; each header cell has a comment with the
Dutch label and explanation, and the ``toelichting`` sheet explains every column.

Choices:

- booleans are written as the texts ``ja``/``nee`` with a drop-down; on input TRUE/FALSE cells
  and ja/nee/true/false/waar/onwaar text are all read (see ``io.tabular``);
- an unknown fact (unknowns.md) is an empty cell, a fact's known nothing (``[]``, the ``none``
  code) is ``geen``; the drop-downs of facts offer ``onbekend``, and ``geen`` where it applies,
  and the toelichting sheet explains both;
- text that a spreadsheet would run as a formula (starting with ``= + - @``, tab or carriage
  return) is written as a text cell with Excel's quote prefix (the ``'`` Excel shows when you
  type ``'=1+1``): Excel shows it as text and keeps it text when edited, and the stored value
  reads back unchanged;
- the drop-down lists live on a hidden sheet ``keuzelijsten`` (an inline list may hold at most
  255 characters, too few for the countries); ``toelichting`` and ``keuzelijsten`` are skipped on
  input, any other unknown sheet is a problem;
- an object whose fields are all empty (``notification`` without date and recipient, an exit
  scenario without lead time and preconditions) cannot be told apart from a missing one, so it
  reads back as missing; a list item that contains a comma reads back as two items.
"""

from cloudtoets.io.xlsx.reading import read_xlsx_document
from cloudtoets.io.xlsx.writing import write_inventory_xlsx, write_template

__all__ = ["read_xlsx_document", "write_inventory_xlsx", "write_template"]
