"""The published JSON Schemas: manifest and rule file (from the models) and the JSON report."""

from __future__ import annotations

from typing import Any

_FINDING: dict[str, Any] = {
    "type": "object",
    "required": ["severity", "rule", "item", "message", "line", "column"],
    "properties": {
        "severity": {"enum": ["info", "pass", "warn", "fail", "error"]},
        "code": {"type": "string"},
        "rule": {"type": ["string", "null"]},
        "item": {"type": ["integer", "null"], "minimum": 1},
        "message": {"type": "string", "minLength": 1},
        "line": {"type": ["integer", "null"], "minimum": 1},
        "column": {"type": ["integer", "null"], "minimum": 1},
        "field": {"type": ["string", "null"]},
        "reference": {"type": ["string", "null"]},
        "url": {"type": ["string", "null"]},
    },
    "if": {"properties": {"rule": {"type": "string"}}},
    "then": {"properties": {"reference": {"type": "string", "minLength": 1}}},
}

REPORT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://mineralcheck.invalid/schemas/report-1.json",
    "title": "mineralcheck JSON report, schema version 1",
    "type": "object",
    "required": ["schema_version", "tool", "summary", "results"],
    "properties": {
        "schema_version": {"const": 1},
        "tool": {
            "type": "object",
            "required": ["name", "version"],
            "properties": {"name": {"const": "mineralcheck"}, "version": {"type": "string"}},
        },
        "as_of": {"type": ["string", "null"]},
        "rule_pack": {
            "type": "object",
            "properties": {
                "hash": {"type": "string"},
                "rules": {"type": "array", "items": {"type": "string"}},
            },
        },
        "summary": {
            "type": "object",
            "required": ["manifests", "pass", "warn", "fail", "error"],
            "properties": {
                key: {"type": "integer", "minimum": 0}
                for key in ("manifests", "pass", "warn", "fail", "error")
            },
        },
        "results": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["path", "manifest_id", "verdict", "findings"],
                "properties": {
                    "path": {"type": "string"},
                    "manifest_id": {"type": ["string", "null"]},
                    "verdict": {"enum": ["pass", "warn", "fail", "error"]},
                    "findings": {"type": "array", "items": _FINDING},
                },
            },
        },
    },
}


_DIGEST = {"type": "string", "pattern": "^sha256:[0-9a-f]{64}$"}
_PREV = {"anyOf": [_DIGEST, {"type": "null"}]}
RECORD_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://mineralcheck.invalid/schemas/record-1.json",
    "title": "mineralcheck audit record line, format version 1 (one JSON object a line)",
    "oneOf": [
        {
            "type": "object",
            "additionalProperties": False,
            "required": [
                "record", "time", "tool", "rules", "path", "sha256", "manifest_id",
                "ship_date", "as_of", "verdict", "findings", "permits", "reviews", "prev",
            ],
            "properties": {
                "record": {"const": 1},
                "time": {"type": "string"},
                "tool": {"type": "string"},
                "rules": _DIGEST,
                "path": {"type": "string"},
                "sha256": {"type": ["string", "null"], "pattern": "^[0-9a-f]{64}$"},
                "manifest_id": {"type": ["string", "null"]},
                "ship_date": {"type": ["string", "null"]},
                "as_of": {"type": ["string", "null"]},
                "verdict": {"enum": ["pass", "warn", "fail", "error"]},
                "findings": {"type": "array", "items": {"type": "string"}},
                "permits": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["number", "quantity"],
                        "properties": {
                            "number": {"type": "string"},
                            "quantity": {"type": "string"},
                        },
                    },
                },
                "reviews": {"type": "array"},
                "prev": _PREV,
            },
        },
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["record", "time", "tool", "torn", "prev"],
            "properties": {
                "record": {"const": 1},
                "time": {"type": "string"},
                "tool": {"type": "string"},
                "torn": {
                    "type": "object",
                    "required": ["line", "sha256"],
                    "properties": {"line": {"type": "integer", "minimum": 1}, "sha256": _DIGEST},
                },
                "prev": _PREV,
            },
        },
    ],
}  # fmt: skip


def schema(name: str) -> dict[str, Any]:
    """The JSON Schema called ``name``: manifest, rules, report, record, reviews or register."""
    if name == "report":
        return REPORT_SCHEMA
    if name == "record":
        return RECORD_SCHEMA
    if name == "manifest":
        from mineralcheck.manifest.model import Manifest

        document = Manifest.model_json_schema(mode="validation")
        document["title"] = "mineralcheck shipment manifest, format version 1"
    elif name == "register":
        from mineralcheck.records.register_schema import RegisterFile

        document = RegisterFile.model_json_schema(mode="validation", by_alias=True)
        document["title"] = "mineralcheck licence register, format version 1"
    elif name == "reviews":
        from mineralcheck.records.reviews_schema import ReviewsFile

        document = ReviewsFile.model_json_schema(mode="validation")
        document["title"] = "mineralcheck reviews file, format version 1"
    elif name == "rules":
        from mineralcheck.ruleset.model import RuleFile

        document = RuleFile.model_json_schema(mode="validation", by_alias=True)
        document["title"] = "mineralcheck rule file, schema version 1"
    else:
        raise KeyError(name)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **document}


SCHEMAS = ("manifest", "rules", "report", "record", "reviews", "register")
