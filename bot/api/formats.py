"""Lists as JSON (default), XML or CSV: `?format=` or the Accept header chooses."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from typing import Any

from flask import Response, jsonify, request

from bot.api.errors import ApiError

FORMATS = ("json", "xml", "csv")
_ACCEPT = {
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
}


def wanted_format() -> str:
    """The format asked for: `?format=` first, then the best Accept match, else JSON."""
    asked = request.args.get("format")
    if asked is not None:
        if asked.lower() not in FORMATS:
            raise ApiError(
                "INVALID_PARAMETER",
                details=[
                    {
                        "code": "enum",
                        "message": "format must be json, xml or csv",
                        "path": ["format"],
                    }
                ],
            )
        return asked.lower()
    best = request.accept_mimetypes.best_match(list(_ACCEPT), default="application/json")
    return _ACCEPT.get(best or "application/json", "json")


def listing(items: list[dict[str, Any]], *, meta: Mapping[str, Any], name: str) -> Response:
    """A list answer: `{"data": [...], "meta": {...}}` in the format asked for.

    `name` is the XML element of one item (e.g. "appointment") and the CSV file's name.
    """
    fmt = wanted_format()
    if fmt == "xml":
        return Response(_xml(items, meta, name), mimetype="application/xml")
    if fmt == "csv":
        response = Response(_csv(items), mimetype="text/csv")
        response.headers["Content-Disposition"] = f'attachment; filename="{name}s.csv"'
        return response
    return jsonify({"data": items, "meta": dict(meta)})


def _xml(items: list[dict[str, Any]], meta: Mapping[str, Any], name: str) -> bytes:
    root = ET.Element("response")
    _xml_fill(ET.SubElement(root, "meta"), meta)
    data = ET.SubElement(root, "data")
    for item in items:
        _xml_fill(ET.SubElement(data, name), item)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _xml_fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            _xml_fill(ET.SubElement(element, _xml_name(str(key))), inner)
    elif isinstance(value, list | tuple):
        for inner in value:
            _xml_fill(ET.SubElement(element, "item"), inner)
    elif value is None:
        element.set("nil", "true")
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    else:
        element.text = str(value)


def _xml_name(key: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "_-." else "_" for c in key)
    return cleaned if cleaned and (cleaned[0].isalpha() or cleaned[0] == "_") else f"_{cleaned}"


def _csv(items: list[dict[str, Any]]) -> str:
    """UTF-8 with a byte-order mark, so spreadsheet programs read the accents right."""
    rows = [dict(_flatten(item)) for item in items]
    columns: list[str] = []
    for row in rows:
        columns.extend(key for key in row if key not in columns)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _flatten(value: Mapping[str, Any], prefix: str = "") -> Iterable[tuple[str, Any]]:
    for key, inner in value.items():
        name = f"{prefix}{key}"
        if isinstance(inner, Mapping):
            yield from _flatten(inner, f"{name}.")
        elif isinstance(inner, list | tuple):
            yield (
                name,
                ";".join(
                    json.dumps(x, ensure_ascii=False) if isinstance(x, Mapping) else str(x)
                    for x in inner
                ),
            )
        elif inner is None:
            yield name, ""
        else:
            yield name, inner
