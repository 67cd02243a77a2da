"""The JSON schemas of metadata definitions under ``/v2/schemas/metadefs``."""

from __future__ import annotations

from typing import Any

from novalite.common import wsgi
from novalite.image.api.metadefs import PROPERTY_TYPES
from novalite.image.api.schemas import _document

_STAMPS = {"created_at": {"type": "string", "readOnly": True, "format": "date-time",
                          "description": "Date and time of the creation (READ-ONLY)"},
           "updated_at": {"type": "string", "readOnly": True, "format": "date-time",
                          "description": "Date and time of the last change (READ-ONLY)"}}


def property_schema() -> dict[str, Any]:
    return {"name": "property", "type": "object", "additionalProperties": False,
            "required": ["name", "title", "type"],
            "properties": {
                "name": {"type": "string", "maxLength": 255},
                "title": {"type": "string"}, "description": {"type": "string"},
                "type": {"type": "string", "enum": list(PROPERTY_TYPES)},
                "readonly": {"type": "boolean"}, "default": {},
                "operators": {"type": "array", "items": {"type": "string"}},
                "enum": {"type": "array"}, "pattern": {"type": "string", "format": "regex"},
                "minimum": {"type": "number"}, "maximum": {"type": "number"},
                "minLength": {"type": "integer", "minimum": 0},
                "maxLength": {"type": "integer", "minimum": 0},
                "items": {"type": "object"}, "uniqueItems": {"type": "boolean"},
                "minItems": {"type": "integer", "minimum": 0},
                "maxItems": {"type": "integer", "minimum": 0},
                "additionalItems": {"type": "boolean"}}}


def _property_map() -> dict[str, Any]:
    schema = property_schema()
    return {"type": "object", "additionalProperties": {
        "type": "object", "required": ["title", "type"],
        "properties": {k: v for k, v in schema["properties"].items() if k != "name"}}}


def object_schema() -> dict[str, Any]:
    return {"name": "object", "type": "object", "additionalProperties": False,
            "required": ["name"],
            "properties": {"name": {"type": "string", "maxLength": 80},
                           "description": {"type": "string"},
                           "required": {"type": "array", "items": {"type": "string"}},
                           "properties": _property_map(),
                           "schema": {"type": "string", "readOnly": True},
                           "self": {"type": "string", "readOnly": True}, **_STAMPS}}


def tag_schema() -> dict[str, Any]:
    return {"name": "tag", "type": "object", "additionalProperties": False,
            "required": ["name"],
            "properties": {"name": {"type": "string", "maxLength": 255}, **_STAMPS}}


def resource_type_schema() -> dict[str, Any]:
    return {"name": "resource_type_association", "type": "object",
            "additionalProperties": False, "required": ["name"],
            "properties": {"name": {"type": "string", "maxLength": 80},
                           "prefix": {"type": "string", "maxLength": 80},
                           "properties_target": {"type": "string", "maxLength": 80},
                           **_STAMPS}}


def namespace_schema() -> dict[str, Any]:
    return {"name": "namespace", "type": "object", "additionalProperties": False,
            "required": ["namespace"],
            "properties": {
                "namespace": {"type": "string", "maxLength": 80},
                "display_name": {"type": "string", "maxLength": 80},
                "description": {"type": "string", "maxLength": 500},
                "visibility": {"type": "string", "enum": ["public", "private"]},
                "protected": {"type": "boolean"},
                "owner": {"type": "string", "maxLength": 255},
                "resource_type_associations": {"type": "array",
                                               "items": resource_type_schema()},
                "properties": _property_map(),
                "objects": {"type": "array", "items": object_schema()},
                "tags": {"type": "array", "items": tag_schema()},
                "schema": {"type": "string", "readOnly": True},
                "self": {"type": "string", "readOnly": True}, **_STAMPS},
            "links": [{"rel": "self", "href": "{self}"},
                      {"rel": "describedby", "href": "{schema}"}]}


def _collection(name: str, item: dict[str, Any], key: str | None = None) -> dict[str, Any]:
    items: dict[str, Any] = ({"type": "array", "items": item} if key != "properties"
                             else _property_map())
    return {"name": name, "type": "object",
            "properties": {key or name: items, "first": {"type": "string"},
                           "next": {"type": "string"}, "schema": {"type": "string"}},
            "links": [{"rel": "first", "href": "{first}"}, {"rel": "next", "href": "{next}"},
                      {"rel": "describedby", "href": "{schema}"}]}


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/v2/schemas/metadefs/namespace", _document(namespace_schema)),
    wsgi.Route("GET", "/v2/schemas/metadefs/namespaces",
               _document(lambda: _collection("namespaces", namespace_schema()))),
    wsgi.Route("GET", "/v2/schemas/metadefs/object", _document(object_schema)),
    wsgi.Route("GET", "/v2/schemas/metadefs/objects",
               _document(lambda: _collection("objects", object_schema()))),
    wsgi.Route("GET", "/v2/schemas/metadefs/property", _document(property_schema)),
    wsgi.Route("GET", "/v2/schemas/metadefs/properties",
               _document(lambda: _collection("properties", property_schema(),
                                             "properties"))),
    wsgi.Route("GET", "/v2/schemas/metadefs/tag", _document(tag_schema)),
    wsgi.Route("GET", "/v2/schemas/metadefs/tags",
               _document(lambda: _collection("tags", tag_schema()))),
    wsgi.Route("GET", "/v2/schemas/metadefs/resource_type",
               _document(resource_type_schema)),
    wsgi.Route("GET", "/v2/schemas/metadefs/resource_types",
               _document(lambda: _collection("resource_type_associations",
                                             resource_type_schema()))),
)
