"""Metadata definitions (Glance's metadefs): namespaces with their objects, properties,
tags and resource type associations, the resource types, and their schemas.

Everyone may read public namespaces and those of their project; admins see and change
all (Glance's defaults). A protected namespace cannot be deleted, nor can what is in it.
The default catalogue is loaded on first use (``metadefs_repository.ensure_catalog``).
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from typing import Any

import webob

from novalite.common import exception, policy, wsgi
from novalite.common.context import RequestContext
from novalite.conf import CONF
from novalite.image import metadefs_repository as repo
from novalite.image.api import views

BASE = "/v2/metadefs/namespaces"
NAME_MAX = 80
PROPERTY_TYPES = ("array", "boolean", "integer", "number", "object", "string")
PROPERTY_KEYS = ("title", "description", "type", "default", "readonly", "operators", "enum",
                 "pattern", "minimum", "maximum", "minLength", "maxLength", "items",
                 "uniqueItems", "minItems", "maxItems", "additionalItems")
NAMESPACE_KEYS = ("namespace", "display_name", "description", "visibility", "protected",
                  "owner")
CREATE_KEYS = (*NAMESPACE_KEYS, "resource_type_associations", "properties", "objects",
               "tags")
READ_ONLY = ("created_at", "updated_at", "schema", "self")


class NamespaceNotFound(exception.NotFound):
    msg_fmt = "Metadata definition namespace=%(name)s was not found."


class ItemNotFound(exception.NotFound):
    msg_fmt = "Metadata definition %(kind)s=%(name)s not found in namespace=%(namespace)s."


class Duplicate(exception.Conflict):
    msg_fmt = "Metadata definition %(kind)s with name=%(name)s already exists%(where)s."


def _authorize(ctxt: RequestContext, action: str, owner: str | None = None) -> None:
    policy.authorize(ctxt, f"image:{action}", {"project_id": owner or "",
                                                 "user_id": ctxt.user_id})


def _visible(ctxt: RequestContext, namespace: dict[str, Any]) -> bool:
    return bool(ctxt.is_admin or namespace["visibility"] == "public"
                or (namespace["owner"] and namespace["owner"] == ctxt.project_id))


def _load(request: wsgi.Request, name: str, action: str) -> dict[str, Any]:
    ctxt = request.context
    repo.ensure_catalog()
    namespace = repo.get_namespace(name)
    if namespace is None or not _visible(ctxt, namespace):
        raise NamespaceNotFound(name=name)
    _authorize(ctxt, action, namespace["owner"])
    return namespace


def _change(name: str, change: Callable[[dict[str, Any]], Any]) -> Any:
    try:
        return repo.change_document(name, change)
    except KeyError:
        raise NamespaceNotFound(name=name) from None


def _not_protected(namespace: dict[str, Any], what: str) -> None:
    if namespace["protected"]:
        raise exception.Forbidden(message=f"Namespace {namespace['namespace']} is protected "
                                          f"and {what} cannot be deleted.")


# --- validation -------------------------------------------------------------------------

def _name(value: Any, what: str, maximum: int = NAME_MAX) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > maximum:
        raise exception.Invalid(message=f"'{what}' must be a string of 1 to {maximum} "
                                        "characters.")
    return value


def _optional_text(value: Any, what: str, maximum: int | None = None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or (maximum is not None and len(value) > maximum):
        raise exception.Invalid(message=f"'{what}' must be a string"
                                        + (f" of at most {maximum} characters." if maximum
                                           else "."))
    return value


def _dict(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise exception.Invalid(message=f"'{what}' must be an object.")
    return value


def _property(value: Any, name: str) -> dict[str, Any]:
    schema = _dict(value, f"property {name}")
    unknown = sorted(set(schema) - set(PROPERTY_KEYS) - {"name"})
    if unknown:
        raise exception.Invalid(message=f"Property {name}: additional properties are not "
                                        f"allowed ({', '.join(unknown)}).")
    if schema.get("type") not in PROPERTY_TYPES:
        raise exception.Invalid(message=f"Property {name}: 'type' must be one of "
                                        f"{', '.join(PROPERTY_TYPES)}.")
    _name(schema.get("title"), f"title of property {name}", 255)
    if "enum" in schema and not isinstance(schema["enum"], list):
        raise exception.Invalid(message=f"Property {name}: 'enum' must be an array.")
    return {key: value for key, value in schema.items() if key != "name"}


def _properties(value: Any, what: str = "properties") -> dict[str, dict[str, Any]]:
    return {_name(name, f"{what} name", 255): _property(schema, name)
            for name, schema in _dict(value, what).items()}


def _object(body: Any) -> tuple[str, dict[str, Any]]:
    body = _dict(body, "object")
    unknown = sorted(set(body) - {"name", "description", "required", "properties",
                                  *READ_ONLY})
    if unknown:
        raise exception.Invalid(message="Additional properties are not allowed "
                                        f"({', '.join(unknown)}).")
    required = body.get("required") or []
    if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
        raise exception.Invalid(message="'required' must be an array of strings.")
    return _name(body.get("name"), "name"), {
        "description": _optional_text(body.get("description"), "description"),
        "required": required, "properties": _properties(body.get("properties") or {})}


def _association(body: Any) -> tuple[str, dict[str, Any]]:
    body = _dict(body, "resource type association")
    unknown = sorted(set(body) - {"name", "prefix", "properties_target", *READ_ONLY})
    if unknown:
        raise exception.Invalid(message="Additional properties are not allowed "
                                        f"({', '.join(unknown)}).")
    return _name(body.get("name"), "name"), {
        "prefix": _optional_text(body.get("prefix"), "prefix", NAME_MAX),
        "properties_target": _optional_text(body.get("properties_target"),
                                            "properties_target", NAME_MAX)}


def _namespace_fields(body: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    unknown = sorted(set(body) - set(allowed) - set(READ_ONLY))
    if unknown:
        raise exception.Invalid(message="Additional properties are not allowed "
                                        f"({', '.join(unknown)}).")
    values: dict[str, Any] = {"namespace": _name(body.get("namespace"), "namespace")}
    if "display_name" in body:
        values["display_name"] = _optional_text(body["display_name"], "display_name",
                                                NAME_MAX)
    if "description" in body:
        values["description"] = _optional_text(body["description"], "description", 500)
    if "visibility" in body:
        if body["visibility"] not in ("public", "private"):
            raise exception.Invalid(message="'visibility' must be 'public' or 'private'.")
        values["visibility"] = body["visibility"]
    if "protected" in body:
        if not isinstance(body["protected"], bool):
            raise exception.Invalid(message="'protected' must be a boolean.")
        values["protected"] = body["protected"]
    if body.get("owner") is not None:
        values["owner"] = _name(body["owner"], "owner", 255)
    return values


# --- views ----------------------------------------------------------------------------

def _ns_view(namespace: dict[str, Any], full: bool = False) -> dict[str, Any]:
    name = namespace["namespace"]
    view: dict[str, Any] = {
        key: namespace[key] for key in ("namespace", "display_name", "description",
                                        "visibility", "protected", "owner")}
    view = {key: value for key, value in view.items() if value is not None}
    view.update(created_at=views.isotime(namespace["created_at"]),
                updated_at=views.isotime(namespace["updated_at"]),
                schema="/v2/schemas/metadefs/namespace", self=f"{BASE}/{name}")
    document = namespace["document"]
    if document["resource_type_associations"]:
        view["resource_type_associations"] = _associations(document)
    if full:
        if document["properties"]:
            view["properties"] = {k: dict(v) for k, v in sorted(document["properties"].items())}
        if document["objects"]:
            view["objects"] = [_object_view(name, k, v)
                               for k, v in sorted(document["objects"].items())]
        if document["tags"]:
            view["tags"] = [{"name": k} for k in sorted(document["tags"])]
    return view


def _associations(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"name": name, **{k: v for k, v in value.items() if v is not None}}
            for name, value in sorted(document["resource_type_associations"].items())]


def _object_view(namespace: str, name: str, value: dict[str, Any]) -> dict[str, Any]:
    view = {"name": name, **{k: v for k, v in value.items() if v is not None}}
    view.update(schema="/v2/schemas/metadefs/object",
                self=f"{BASE}/{namespace}/objects/{name}")
    return view


def _tag_view(name: str, value: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, **value}


# --- namespaces -------------------------------------------------------------------------

def list_namespaces(request: wsgi.Request) -> webob.Response:
    ctxt = request.context
    _authorize(ctxt, "get_metadef_namespaces", ctxt.project_id)
    repo.ensure_catalog()
    params = request.params
    found = repo.list_namespaces(ctxt.project_id, bool(ctxt.is_admin))
    if params.get("visibility"):
        if params["visibility"] not in ("public", "private"):
            raise exception.Invalid(message="Invalid visibility: "
                                            f"{params['visibility']!r}")
        found = [ns for ns in found if ns["visibility"] == params["visibility"]]
    if params.get("resource_types"):
        wanted = {name.strip() for name in str(params["resource_types"]).split(",")}
        found = [ns for ns in found if wanted & set(ns["document"]["resource_type_associations"])]
    sort_key = params.get("sort_key", "created_at")
    if sort_key not in ("namespace", "created_at", "updated_at", "display_name"):
        raise exception.Invalid(message=f"Invalid sort key: {sort_key}")
    sort_dir = params.get("sort_dir", "desc")
    if sort_dir not in ("asc", "desc"):
        raise exception.Invalid(message=f"Invalid sort direction: {sort_dir}")
    found.sort(key=lambda ns: (str(ns[sort_key] or ""), ns["namespace"]),
               reverse=sort_dir == "desc")
    try:
        limit = int(params.get("limit", CONF.image.limit_param_default))
    except ValueError:
        raise exception.Invalid(message="limit param must be an integer") from None
    if limit < 0:
        raise exception.Invalid(message="limit param must be positive")
    limit = min(limit, CONF.image.api_limit_max)
    if params.get("marker"):
        names = [ns["namespace"] for ns in found]
        if params["marker"] not in names:
            raise exception.Invalid(message=f"Marker {params['marker']} not found")
        found = found[names.index(params["marker"]) + 1:]
    page = found[:limit]
    body: dict[str, Any] = {"namespaces": [_ns_view(ns) for ns in page],
                            "first": BASE, "schema": "/v2/schemas/metadefs/namespaces"}
    if len(found) > limit and page:
        query = {key: str(value) for key, value in params.items()
                 if key in ("visibility", "resource_types", "sort_key", "sort_dir")}
        query.update(marker=page[-1]["namespace"], limit=str(limit))
        body["next"] = f"{BASE}?{urllib.parse.urlencode(query)}"
    return wsgi.json_response(body)


def create_namespace(request: wsgi.Request) -> webob.Response:
    ctxt = request.context
    body = request.json_body_dict()
    values = _namespace_fields(body, CREATE_KEYS)
    values.setdefault("visibility", "private")
    values.setdefault("protected", False)
    values.setdefault("owner", ctxt.project_id)
    _authorize(ctxt, "add_metadef_namespace", values["owner"])
    stamp = repo.isotime()
    document = repo.empty_document()
    document["properties"] = _properties(body.get("properties") or {})
    for item in body.get("objects") or []:
        name, obj = _object(item)
        document["objects"][name] = {**obj, "created_at": stamp, "updated_at": stamp}
    for item in body.get("resource_type_associations") or []:
        name, association = _association(item)
        repo.ensure_resource_type(name)
        document["resource_type_associations"][name] = {
            **association, "created_at": stamp, "updated_at": stamp}
    for item in body.get("tags") or []:
        document["tags"][_name(_dict(item, "tag").get("name"), "tag name", 255)] = {
            "created_at": stamp, "updated_at": stamp}
    repo.ensure_catalog()
    try:
        namespace = repo.create_namespace(values, document)
    except repo.Duplicate:
        raise exception.Conflict(message="Namespace with name="
                                         f"{values['namespace']} already exists.") from None
    return wsgi.json_response(_ns_view(namespace, full=True), status=201)


def show_namespace(request: wsgi.Request, namespace: str) -> webob.Response:
    """``?resource_type=`` names the properties (objects' too) as that resource type
    uses them: with the association's prefix, as Glance shows them."""
    view = _ns_view(_load(request, namespace, "get_metadef_namespace"), full=True)
    resource_type = request.params.get("resource_type")
    if resource_type:
        association = next((a for a in view.get("resource_type_associations", ())
                            if a["name"] == resource_type), None)
        if association is None:
            raise ItemNotFound(kind="resource type association", name=resource_type,
                               namespace=namespace)
        prefix = association.get("prefix") or ""
        if "properties" in view:
            view["properties"] = {prefix + k: v for k, v in view["properties"].items()}
        for obj in view.get("objects", ()):
            obj["properties"] = {prefix + k: v for k, v in obj["properties"].items()}
            obj["required"] = [prefix + name for name in obj.get("required", ())]
    return wsgi.json_response(view)


def update_namespace(request: wsgi.Request, namespace: str) -> webob.Response:
    current = _load(request, namespace, "modify_metadef_namespace")
    values = _namespace_fields(request.json_body_dict(), NAMESPACE_KEYS)
    if "owner" in values and values["owner"] != current["owner"]:
        _authorize(request.context, "modify_metadef_namespace", values["owner"])
    try:
        updated = repo.update_namespace(namespace, values)
    except repo.Duplicate:
        raise exception.Conflict(message="Namespace with name="
                                         f"{values['namespace']} already exists.") from None
    if updated is None:
        raise NamespaceNotFound(name=namespace)
    return wsgi.json_response(_ns_view(updated, full=True))


def delete_namespace(request: wsgi.Request, namespace: str) -> webob.Response:
    current = _load(request, namespace, "delete_metadef_namespace")
    if current["protected"]:
        raise exception.Forbidden(message=f"Namespace {namespace} is protected and cannot "
                                          "be deleted.")
    if not repo.delete_namespace(namespace):
        raise NamespaceNotFound(name=namespace)
    return wsgi.empty_response()


# --- objects and properties -------------------------------------------------------------

def _section_item(document: dict[str, Any], section: str, kind: str, namespace: str,
                  name: str) -> dict[str, Any]:
    if name not in document[section]:
        raise ItemNotFound(kind=kind, name=name, namespace=namespace)
    item: dict[str, Any] = document[section][name]
    return item


def list_objects(request: wsgi.Request, namespace: str) -> webob.Response:
    document = _load(request, namespace, "get_metadef_objects")["document"]
    return wsgi.json_response({"objects": [_object_view(namespace, k, v) for k, v in
                                           sorted(document["objects"].items())],
                               "schema": "v2/schemas/metadefs/objects"})


def create_object(request: wsgi.Request, namespace: str) -> webob.Response:
    _load(request, namespace, "add_metadef_object")
    name, obj = _object(request.json_body_dict())

    def add(document: dict[str, Any]) -> dict[str, Any]:
        if name in document["objects"]:
            raise Duplicate(kind="object", name=name, where=f" in namespace={namespace}")
        stamp = repo.isotime()
        document["objects"][name] = {**obj, "created_at": stamp, "updated_at": stamp}
        return _object_view(namespace, name, document["objects"][name])

    return wsgi.json_response(_change(namespace, add), status=201)


def show_object(request: wsgi.Request, namespace: str, name: str) -> webob.Response:
    document = _load(request, namespace, "get_metadef_object")["document"]
    return wsgi.json_response(_object_view(
        namespace, name, _section_item(document, "objects", "object", namespace, name)))


def update_object(request: wsgi.Request, namespace: str, name: str) -> webob.Response:
    _load(request, namespace, "modify_metadef_object")
    new_name, obj = _object(request.json_body_dict())

    def update(document: dict[str, Any]) -> dict[str, Any]:
        old = _section_item(document, "objects", "object", namespace, name)
        if new_name != name and new_name in document["objects"]:
            raise Duplicate(kind="object", name=new_name, where=f" in namespace={namespace}")
        del document["objects"][name]
        document["objects"][new_name] = {**obj, "created_at": old.get("created_at"),
                                         "updated_at": repo.isotime()}
        return _object_view(namespace, new_name, document["objects"][new_name])

    return wsgi.json_response(_change(namespace, update))


def _delete_item(request: wsgi.Request, namespace: str, action: str, section: str,
                 kind: str, name: str | None) -> webob.Response:
    current = _load(request, namespace, action)
    _not_protected(current, f"its {section}" if name is None else f"{kind} {name}")

    def remove(document: dict[str, Any]) -> None:
        if name is None:
            document[section] = {}
        else:
            _section_item(document, section, kind, namespace, name)
            del document[section][name]

    _change(namespace, remove)
    return wsgi.empty_response()


def delete_object(request: wsgi.Request, namespace: str, name: str) -> webob.Response:
    return _delete_item(request, namespace, "delete_metadef_object", "objects", "object",
                        name)


def delete_objects(request: wsgi.Request, namespace: str) -> webob.Response:
    return _delete_item(request, namespace, "delete_metadef_object", "objects", "object",
                        None)


def list_properties(request: wsgi.Request, namespace: str) -> webob.Response:
    document = _load(request, namespace, "get_metadef_properties")["document"]
    return wsgi.json_response({"properties": {k: dict(v) for k, v in
                                              sorted(document["properties"].items())}})


def _property_body(request: wsgi.Request) -> tuple[str, dict[str, Any]]:
    body = request.json_body_dict()
    name = _name(body.get("name"), "name", 255)
    return name, _property(body, name)


def create_property(request: wsgi.Request, namespace: str) -> webob.Response:
    _load(request, namespace, "add_metadef_property")
    name, schema = _property_body(request)

    def add(document: dict[str, Any]) -> dict[str, Any]:
        if name in document["properties"]:
            raise Duplicate(kind="property", name=name, where=f" in namespace={namespace}")
        document["properties"][name] = schema
        return {"name": name, **schema}

    return wsgi.json_response(_change(namespace, add), status=201)


def show_property(request: wsgi.Request, namespace: str, name: str) -> webob.Response:
    document = _load(request, namespace, "get_metadef_property")["document"]
    schema = _section_item(document, "properties", "property", namespace, name)
    return wsgi.json_response({"name": name, **schema})


def update_property(request: wsgi.Request, namespace: str, name: str) -> webob.Response:
    _load(request, namespace, "modify_metadef_property")
    new_name, schema = _property_body(request)

    def update(document: dict[str, Any]) -> dict[str, Any]:
        _section_item(document, "properties", "property", namespace, name)
        if new_name != name and new_name in document["properties"]:
            raise Duplicate(kind="property", name=new_name, where=f" in namespace={namespace}")
        del document["properties"][name]
        document["properties"][new_name] = schema
        return {"name": new_name, **schema}

    return wsgi.json_response(_change(namespace, update))


def delete_property(request: wsgi.Request, namespace: str, name: str) -> webob.Response:
    return _delete_item(request, namespace, "remove_metadef_property", "properties",
                        "property", name)


def delete_properties(request: wsgi.Request, namespace: str) -> webob.Response:
    return _delete_item(request, namespace, "remove_metadef_property", "properties",
                        "property", None)


# --- tags -----------------------------------------------------------------------------

def list_tags(request: wsgi.Request, namespace: str) -> webob.Response:
    document = _load(request, namespace, "get_metadef_tags")["document"]
    return wsgi.json_response({"tags": [_tag_view(k, v) for k, v in
                                        sorted(document["tags"].items())]})


def create_tags(request: wsgi.Request, namespace: str) -> webob.Response:
    """``POST .../tags``: the tags given replace all (added to them with the header
    ``X-Openstack-Append: True``); a name given twice is a 409."""
    _load(request, namespace, "add_metadef_tags")
    items = request.json_body_dict().get("tags")
    if not isinstance(items, list):
        raise exception.Invalid(message="'tags' must be an array.")
    names = [_name(_dict(item, "tag").get("name"), "tag name", 255) for item in items]
    if len(set(names)) != len(names):
        raise exception.Conflict(message="A metadata tag name was given twice.")
    append = request.headers.get("X-Openstack-Append", "").lower() == "true"

    def replace(document: dict[str, Any]) -> list[dict[str, Any]]:
        stamp = repo.isotime()
        if not append:
            document["tags"] = {}
        for name in names:
            if name in document["tags"]:
                raise Duplicate(kind="tag", name=name, where=f" in namespace={namespace}")
            document["tags"][name] = {"created_at": stamp, "updated_at": stamp}
        return [_tag_view(name, document["tags"][name]) for name in names]

    return wsgi.json_response({"tags": _change(namespace, replace)}, status=201)


def create_tag(request: wsgi.Request, namespace: str, name: str) -> webob.Response:
    _load(request, namespace, "add_metadef_tag")
    _name(name, "tag name", 255)

    def add(document: dict[str, Any]) -> dict[str, Any]:
        if name in document["tags"]:
            raise Duplicate(kind="tag", name=name, where=f" in namespace={namespace}")
        stamp = repo.isotime()
        document["tags"][name] = {"created_at": stamp, "updated_at": stamp}
        return _tag_view(name, document["tags"][name])

    return wsgi.json_response(_change(namespace, add), status=201)


def show_tag(request: wsgi.Request, namespace: str, name: str) -> webob.Response:
    document = _load(request, namespace, "get_metadef_tag")["document"]
    return wsgi.json_response(_tag_view(
        name, _section_item(document, "tags", "tag", namespace, name)))


def update_tag(request: wsgi.Request, namespace: str, name: str) -> webob.Response:
    _load(request, namespace, "modify_metadef_tag")
    new_name = _name(request.json_body_dict().get("name"), "name", 255)

    def rename(document: dict[str, Any]) -> dict[str, Any]:
        old = _section_item(document, "tags", "tag", namespace, name)
        if new_name != name and new_name in document["tags"]:
            raise Duplicate(kind="tag", name=new_name, where=f" in namespace={namespace}")
        del document["tags"][name]
        document["tags"][new_name] = {"created_at": old["created_at"],
                                      "updated_at": repo.isotime()}
        return _tag_view(new_name, document["tags"][new_name])

    return wsgi.json_response(_change(namespace, rename))


def delete_tag(request: wsgi.Request, namespace: str, name: str) -> webob.Response:
    return _delete_item(request, namespace, "delete_metadef_tag", "tags", "tag", name)


def delete_tags(request: wsgi.Request, namespace: str) -> webob.Response:
    return _delete_item(request, namespace, "delete_metadef_tags", "tags", "tag", None)


# --- resource types -------------------------------------------------------------------

def list_resource_types(request: wsgi.Request) -> webob.Response:
    ctxt = request.context
    _authorize(ctxt, "list_metadef_resource_types", ctxt.project_id)
    repo.ensure_catalog()
    return wsgi.json_response({"resource_types": [
        {"name": rt["name"], "created_at": views.isotime(rt["created_at"]),
         "updated_at": views.isotime(rt["updated_at"])}
        for rt in repo.list_resource_types()]})


def list_associations(request: wsgi.Request, namespace: str) -> webob.Response:
    document = _load(request, namespace, "get_metadef_resource_type")["document"]
    return wsgi.json_response({"resource_type_associations": _associations(document)})


def create_association(request: wsgi.Request, namespace: str) -> webob.Response:
    _load(request, namespace, "add_metadef_resource_type_association")
    name, association = _association(request.json_body_dict())
    repo.ensure_resource_type(name)

    def add(document: dict[str, Any]) -> dict[str, Any]:
        if name in document["resource_type_associations"]:
            raise Duplicate(kind="resource type association", name=name,
                            where=f" in namespace={namespace}")
        stamp = repo.isotime()
        document["resource_type_associations"][name] = {
            **association, "created_at": stamp, "updated_at": stamp}
        value = document["resource_type_associations"][name]
        return {"name": name, **{k: v for k, v in value.items() if v is not None}}

    return wsgi.json_response(_change(namespace, add), status=201)


def delete_association(request: wsgi.Request, namespace: str, name: str) -> webob.Response:
    current = _load(request, namespace, "remove_metadef_resource_type_association")
    _not_protected(current, f"its association with {name}")

    def remove(document: dict[str, Any]) -> None:
        _section_item(document, "resource_type_associations", "resource type", namespace,
                      name)
        del document["resource_type_associations"][name]

    _change(namespace, remove)
    return wsgi.empty_response()


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", BASE, list_namespaces),
    wsgi.Route("POST", BASE, create_namespace),
    wsgi.Route("GET", BASE + "/{namespace}", show_namespace),
    wsgi.Route("PUT", BASE + "/{namespace}", update_namespace),
    wsgi.Route("DELETE", BASE + "/{namespace}", delete_namespace),
    wsgi.Route("GET", BASE + "/{namespace}/objects", list_objects),
    wsgi.Route("POST", BASE + "/{namespace}/objects", create_object),
    wsgi.Route("DELETE", BASE + "/{namespace}/objects", delete_objects),
    wsgi.Route("GET", BASE + "/{namespace}/objects/{name}", show_object),
    wsgi.Route("PUT", BASE + "/{namespace}/objects/{name}", update_object),
    wsgi.Route("DELETE", BASE + "/{namespace}/objects/{name}", delete_object),
    wsgi.Route("GET", BASE + "/{namespace}/properties", list_properties),
    wsgi.Route("POST", BASE + "/{namespace}/properties", create_property),
    wsgi.Route("DELETE", BASE + "/{namespace}/properties", delete_properties),
    wsgi.Route("GET", BASE + "/{namespace}/properties/{name}", show_property),
    wsgi.Route("PUT", BASE + "/{namespace}/properties/{name}", update_property),
    wsgi.Route("DELETE", BASE + "/{namespace}/properties/{name}", delete_property),
    wsgi.Route("GET", BASE + "/{namespace}/tags", list_tags),
    wsgi.Route("POST", BASE + "/{namespace}/tags", create_tags),
    wsgi.Route("DELETE", BASE + "/{namespace}/tags", delete_tags),
    wsgi.Route("GET", BASE + "/{namespace}/tags/{name}", show_tag),
    wsgi.Route("POST", BASE + "/{namespace}/tags/{name}", create_tag),
    wsgi.Route("PUT", BASE + "/{namespace}/tags/{name}", update_tag),
    wsgi.Route("DELETE", BASE + "/{namespace}/tags/{name}", delete_tag),
    wsgi.Route("GET", BASE + "/{namespace}/resource_types", list_associations),
    wsgi.Route("POST", BASE + "/{namespace}/resource_types", create_association),
    wsgi.Route("DELETE", BASE + "/{namespace}/resource_types/{name}", delete_association),
    wsgi.Route("GET", "/v2/metadefs/resource_types", list_resource_types),
)
