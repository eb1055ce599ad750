"""The OpenAPI 3.1 document, generated from the routes as declared (path, methods,
body and query models, docstrings): never written by hand."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel

from xuefa.core.errors import ALL_ERRORS
from xuefa.credits.service import SESSION_ID
from xuefa.reports.certificates import CODE_PATTERN
from xuefa.roster.imports import IMPORT_ID
from xuefa.roster.units import UNIT_ID
from xuefa_api import Api, Operation, answer_model
from xuefa_api.links import add_links

REF = "#/components/schemas/{model}"
# Every contract error, and what the gateway answers for a method a path lacks (405) or a
# body of another media type (415), both in the contract's error shape.
ERROR_STATUSES = sorted({error.status for error in ALL_ERRORS} | {405, 415})
# Path parameters as the services check them: a value outside these is a 400, so the
# document says so instead of letting a client send it.
PATH_PATTERNS = {
    "year": r"^20[0-9]{2}$",
    "attempt_no": r"^[1-9][0-9]{0,2}$",
    "student_no": r"^[A-Za-z0-9]{1,32}$",
    "unit_id": UNIT_ID,
    "session_id": SESSION_ID.pattern,
    "code": CODE_PATTERN,
    "import_id": IMPORT_ID,
}


def _schema(
    model: type[BaseModel],
    components: dict[str, Any],
    mode: Literal["validation", "serialization"] = "validation",
) -> dict[str, Any]:
    """A reference to the model's schema, registered under its name with its parts."""
    schema = model.model_json_schema(ref_template=REF, mode=mode)
    for name, definition in [*schema.pop("$defs", {}).items(), (model.__name__, schema)]:
        if components.setdefault(name, definition) != definition:
            raise ValueError(f"two different models are both called {name}")
    return {"$ref": REF.format(model=model.__name__)}


def _success(operation: Operation, components: dict[str, Any]) -> dict[str, Any]:
    model = operation.response_model()
    if model is None:
        return {"type": "object"}
    # As the client receives it: serialisation mode (defaults are always sent).
    return _schema(model, components, mode="serialization")


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template=REF)
    required = set(schema.get("required", []))
    parameters = []
    for name, field in schema.get("properties", {}).items():
        parameter: dict[str, Any] = {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": {k: v for k, v in field.items() if k not in ("title", "description")},
        }
        if field.get("description"):
            parameter["description"] = field["description"]
        parameters.append(parameter)
    return parameters


def _responses(operation: Operation, components: dict[str, Any]) -> dict[str, Any]:
    """Its answer, and every contract error it can give (401 only behind the token or
    where credentials are checked, 415 only with a body)."""
    error = {
        "description": "the contract's error",
        "content": {"application/json": {"schema": {"$ref": REF.format(model="Error")}}},
    }
    success = {
        "description": "success",
        "content": {"application/json": {"schema": _success(operation, components)}},
    }
    return {
        str(operation.status): success,
        **({str(operation.also): success} if operation.also else {}),
        **(
            {
                "202": {
                    "description": "accepted: a job was started",
                    "content": {
                        "application/json": {
                            "schema": _schema(
                                answer_model(operation.accepted), components, mode="serialization"
                            )
                        }
                    },
                }
            }
            if operation.accepted
            else {}
        ),
        **{
            str(status): error
            for status in ERROR_STATUSES
            if (status != 401 or not operation.public or operation.checks_credentials)
            and (status != 415 or operation.body is not None or operation.raw_body)
        },
    }


def _operation(prefix: str, operation: Operation, components: dict[str, Any]) -> dict[str, Any]:
    doc = (operation.view.__doc__ or operation.view.__name__).strip()
    parameters: list[dict[str, Any]] = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "string", "minLength": 1}
            | ({"pattern": PATH_PATTERNS[name]} if name in PATH_PATTERNS else {}),
        }
        for name in re.findall(r"{([^}]+)}", operation.path)
    ]
    if operation.query is not None:
        parameters.extend(_query_parameters(operation.query))
    spec: dict[str, Any] = {
        "operationId": f"{prefix}_{operation.view.__name__}",
        "summary": doc.splitlines()[0],
        "tags": [prefix],
        "parameters": parameters,
        "responses": _responses(operation, components),
    }
    if operation.body is not None:
        spec["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _schema(operation.body, components)}},
        }
    elif operation.raw_body:
        spec["requestBody"] = {
            "required": True,
            "content": {
                kind: {"schema": {"type": "string", "minLength": 1}} for kind in operation.raw_body
            },
        }
    if not operation.public:
        spec["security"] = [{"cognito": []}]
    return spec


def document(apis: Mapping[str, Api], title: str = "xuefa") -> dict[str, Any]:
    """One document for the given services, each under its base path (`/credits/…`)."""
    components: dict[str, Any] = {
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {
                        "code": {"type": "string", "enum": [e.code for e in ALL_ERRORS]},
                        "message": {"type": "string"},
                        "details": {"type": "object"},
                        "request_id": {"type": "string"},
                    },
                }
            },
        }
    }
    paths: dict[str, Any] = {}
    for prefix, api in apis.items():
        for operation in api.operations:
            entry = paths.setdefault(f"/{prefix}{operation.path}", {})
            for method in operation.methods:
                entry[method.lower()] = _operation(prefix, operation, components)
    add_links(paths)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": title,
            "version": "1.0.0",
            "description": "学法: yearly online legal study and exams. Errors are "
            '`{"error": {"code", "message", "details"?}}`. Request bodies may carry fields '
            "beyond those documented: every route ignores them (none is refused for them). "
            "Answers link creations to the reads and changes that follow (`links`).",
        },
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "cognito": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "a Cognito ID token (a `Bearer ` prefix is accepted locally)",
                }
            },
        },
    }
