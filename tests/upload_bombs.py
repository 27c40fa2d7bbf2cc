"""Small files that cost a reader much: the inputs of the upload-bounds tests.

Each is made the way an attacker would make it, in a fraction of a second.
"""

from __future__ import annotations

import io
import zipfile


def alias_bomb(depth: int, fan: int = 9) -> bytes:
    """YAML whose anchors nest ``depth`` levels of ``fan`` aliases each: fan**depth values
    written out (9 levels: 387 million) in about 560 bytes. Level ``n`` is on line ``n + 1``."""
    lines = ["a0: &a0 [" + ", ".join(["x"] * fan) + "]"]
    for level in range(1, depth + 1):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * fan) + "]")
    lines.append(f"organisations: *a{depth}")
    lines.append("registrations: []")
    return ("\n".join(lines) + "\n").encode()


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="registrations" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)


def long_workbook(rows: int) -> bytes:
    """An XLSX whose sheet registrations has a header and ``rows`` rows of two cells, written
    straight as XML (openpyxl would take minutes for a million rows)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet '
                b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                b'<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c>'
                b'<c r="B1" t="inlineStr"><is><t>organisation</t></is></c></row>'
            )
            for row in range(2, rows + 2):
                sheet.write(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (row, row, row))
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def wide_csv(columns: int) -> bytes:
    """A CSV file whose header has ``columns`` columns, and one row as wide: about 9 bytes a
    column."""
    header = ",".join(f"k{n}" for n in range(columns))
    return (header + "\n" + "," * (columns - 1) + "x\n").encode()
