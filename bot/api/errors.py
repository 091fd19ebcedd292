"""One error envelope for the whole API: `{"error": ..., "code": ..., "details": [...]}`.

Codes are stable (integrators branch on them); `error` is a short Portuguese sentence for people.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, request
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import HTTPException

from bot.core.logs import loggable_path
from bot.domain.scheduling import NotFound, SchedulingError

log = logging.getLogger(__name__)

MESSAGES: dict[str, str] = {
    "AUTH_REQUIRED": "API key não fornecida",
    "AUTH_INVALID": "API key inválida ou revogada",
    "FORBIDDEN": "Esta chave não tem acesso a este recurso",
    "RATE_LIMITED": "Limite de requisições excedido",
    "INVALID_JSON": "JSON inválido",
    "MISSING_REQUIRED_FIELD": "Campo obrigatório ausente",
    "INVALID_PARAMETER": "Dados inválidos",
    "INVALID_DATE_FORMAT": "Formato de data inválido (use AAAA-MM-DD ou ISO 8601)",
    "DATE_RANGE_TOO_LARGE": "Intervalo de datas grande demais",
    "RESOURCE_NOT_FOUND": "Recurso não encontrado",
    "METHOD_NOT_ALLOWED": "Método não permitido neste recurso",
    "UNSUPPORTED_MEDIA_TYPE": "Envie o corpo como application/json",
    "NOT_ACCEPTABLE": "Formato não suportado (use json, xml ou csv)",
    "SLOT_NOT_FOUND": "Horário não encontrado",
    "SLOT_UNAVAILABLE": "Horário indisponível",
    "SLOT_IN_PAST": "Horário no passado",
    "SLOT_ALREADY_BOOKED": "O cliente já tem um lugar neste horário",
    "CONFLICT": "Conflito com o estado atual do recurso",
    "INTERNAL_ERROR": "Erro interno",
}

STATUS: dict[str, int] = {
    "AUTH_REQUIRED": 401,
    "AUTH_INVALID": 401,
    "FORBIDDEN": 403,
    "RATE_LIMITED": 429,
    "INVALID_JSON": 400,
    "MISSING_REQUIRED_FIELD": 400,
    "INVALID_PARAMETER": 400,
    "INVALID_DATE_FORMAT": 400,
    "DATE_RANGE_TOO_LARGE": 400,
    "RESOURCE_NOT_FOUND": 404,
    "METHOD_NOT_ALLOWED": 405,
    "NOT_ACCEPTABLE": 406,
    "UNSUPPORTED_MEDIA_TYPE": 415,
    "SLOT_NOT_FOUND": 404,
    "SLOT_UNAVAILABLE": 409,
    "SLOT_IN_PAST": 409,
    "SLOT_ALREADY_BOOKED": 409,
    "CONFLICT": 409,
    "INTERNAL_ERROR": 500,
}

_DATE_ERRORS = ("date_", "datetime_", "time_", "timezone_")


class ErrorDetail(BaseModel):
    code: str
    message: str
    path: list[str | int] = []


class ErrorBody(BaseModel):
    """The body of every error answer."""

    error: str
    code: str
    details: list[ErrorDetail] = []


class ApiError(Exception):
    """Raise anywhere in an API view: becomes the envelope with the code's status."""

    def __init__(
        self,
        code: str,
        message: str | None = None,
        *,
        details: list[dict[str, Any]] | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message or MESSAGES[code])
        self.code = code
        self.message = message or MESSAGES[code]
        self.details = details or []
        self.status = status or STATUS[code]


def not_found(what: str = "resource") -> ApiError:
    """A 404 for an id that does not exist in the key's clinic (or at all: we never say which)."""
    return ApiError(
        "RESOURCE_NOT_FOUND", details=[{"code": "not_found", "message": f"{what} not found"}]
    )


def error_response(error: ApiError) -> Response:
    body = {"error": error.message, "code": error.code, "details": error.details}
    response = jsonify(body)
    response.status_code = error.status
    return response


def from_validation(exc: ValidationError) -> ApiError:
    """A pydantic error as our envelope: one detail per problem, with its path."""
    details = [
        {
            "code": str(item["type"]),
            "message": str(item["msg"]),
            "path": [part for part in item["loc"] if part != "__root__"],
        }
        for item in exc.errors(include_url=False, include_input=False, include_context=False)
    ]
    kinds = [d["code"] for d in details]
    if _body_is_not_json():
        return ApiError(
            "INVALID_JSON", details=[{"code": "invalid_json", "message": "body is not JSON"}]
        )
    if "missing" in kinds:
        return ApiError("MISSING_REQUIRED_FIELD", details=details)
    if any(kind.startswith(_DATE_ERRORS) for kind in kinds):
        return ApiError("INVALID_DATE_FORMAT", details=details)
    return ApiError("INVALID_PARAMETER", details=details)


def _body_is_not_json() -> bool:
    if request.method not in ("POST", "PUT", "PATCH") or not request.get_data(cache=True):
        return False
    return request.get_json(silent=True) is None


def validation_failed(exc: ValidationError) -> Response:
    """flask-openapi3's callback for a request that does not fit its models."""
    return error_response(from_validation(exc))


def is_api_request() -> bool:
    path = request.path
    return path.startswith("/api/") or path == "/clients" or path.startswith("/clients/")


_HTTP_CODES = {
    400: "INVALID_PARAMETER",
    401: "AUTH_REQUIRED",
    403: "FORBIDDEN",
    404: "RESOURCE_NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    429: "RATE_LIMITED",
}


def register(app: Flask) -> None:
    """Answer every error under the API's paths with the envelope, never with an HTML page."""

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> Response:
        return error_response(exc)

    @app.errorhandler(SchedulingError)
    def _scheduling_error(exc: SchedulingError) -> Response:
        if not is_api_request():
            raise exc
        if isinstance(exc, NotFound) and exc.field:
            # A reference in a body or query that is not the clinic's: a bad request, not a 404.
            detail = {"code": "unknown_id", "message": str(exc), "path": [exc.field]}
            return error_response(ApiError("INVALID_PARAMETER", details=[detail]))
        return error_response(ApiError(exc.code, details=exc.details()))

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response | HTTPException:
        if not is_api_request():
            return exc
        if exc.response is not None and exc.response.mimetype == "application/json":
            return exc.response  # already our envelope (validation errors come this way)
        code = _HTTP_CODES.get(exc.code or 500, "INTERNAL_ERROR")
        response = error_response(ApiError(code, status=exc.code))
        if exc.code == 405 and exc.valid_methods:  # type: ignore[attr-defined]
            response.headers["Allow"] = ", ".join(exc.valid_methods)  # type: ignore[attr-defined]
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        if not is_api_request():
            raise exc
        log.exception("unhandled error on %s %s", request.method, loggable_path())
        return error_response(ApiError("INTERNAL_ERROR"))
