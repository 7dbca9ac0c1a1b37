"""Error pages and JSON errors: one rule decides which a failed request gets.

Requests under `/api/` are answered in JSON (`{"error", "code"}`, as the API's own errors
are); every other request gets an HTML page in the site's layout.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from app.extensions import db

API_PREFIX = "/api/"


def wants_json() -> bool:
    """True when this request is an API call, answered in JSON even when it fails."""
    return request.path.startswith(API_PREFIX)


def json_error(status: int, message: str, code: str, **extra: Any) -> Response:
    """An API error response: the message a client can show and a stable code."""
    response = jsonify({"error": message, "code": code, **extra})
    response.status_code = status
    return response


def _not_found(_error: Exception) -> Any:
    if wants_json():
        return json_error(404, "not found", "not_found")
    return render_template("errors/404.html"), 404


def _not_allowed(error: HTTPException) -> Any:
    if wants_json():
        response = json_error(405, "method not allowed", "method_not_allowed")
        response.headers["Allow"] = ", ".join(getattr(error, "valid_methods", None) or [])
        return response
    return error


def _too_large(_error: HTTPException) -> Any:
    # Flask refuses an oversized body before routing: the API keeps its JSON error.
    if wants_json():
        return json_error(413, "request body is too large", "too_large")
    return Response("Request body is too large", 413)


def _server_error(_error: Exception) -> Any:
    db.session.rollback()
    request_id = g.get("request_id", "")
    if wants_json():
        return json_error(500, "internal error", "internal_error", request_id=request_id)
    return render_template("errors/500.html", request_id=request_id), 500


def init_errors(app: Flask) -> None:
    """Register the app-wide error handlers."""
    app.register_error_handler(404, _not_found)
    app.register_error_handler(405, _not_allowed)
    app.register_error_handler(413, _too_large)
    app.register_error_handler(500, _server_error)
