"""API errors as one JSON shape: {"error": {"code", "title", "message", "problems"?}}."""

from __future__ import annotations

import http

import falcon

from app.errors import Problem, printable, shorten


class ApiError(Exception):
    """An error meant for the caller, with its HTTP status and (for 400) every problem found."""

    def __init__(self, status: int, message: str, problems: list[Problem] | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.problems = problems or []
        self.headers = headers or {}


def bad_request(problems: list[Problem]) -> ApiError:
    message = "; ".join(str(p) for p in problems)
    return ApiError(400, message, problems)


def unauthorized(message: str = "Authentication required") -> ApiError:
    return ApiError(401, message, headers={"WWW-Authenticate": 'Basic realm="calipso", charset="UTF-8"'})


def forbidden(message: str) -> ApiError:
    return ApiError(403, message)


def not_found(message: str = "Requested resource not found") -> ApiError:
    return ApiError(404, message)


def body(status: int, message: str, problems: list[Problem] | None = None) -> dict:
    try:
        title = http.HTTPStatus(status).phrase
    except ValueError:
        title = "Error"
    # a message may quote what the caller sent: never echo more than a few hundred characters of it
    err = {"code": str(status), "title": title, "message": shorten(printable(message), 600)}
    if problems:
        err["problems"] = [{"parameter": shorten(printable(p.path)), "reason": shorten(printable(p.reason), 400)}
                           for p in problems]
    return {"error": err}


def handle_api_error(req: falcon.Request, resp: falcon.Response, ex: ApiError, params) -> None:
    resp.status = ex.status
    resp.media = body(ex.status, ex.message, ex.problems)
    for k, v in ex.headers.items():
        resp.set_header(k, v)


def serialize_http_error(req: falcon.Request, resp: falcon.Response, ex: falcon.HTTPError) -> None:
    """falcon's own errors (404 route, 405 method, ...) in our shape."""
    status = int(str(ex.status).split()[0]) if not isinstance(ex.status, int) else ex.status
    message = ex.description or (http.HTTPStatus(status).phrase if status in http.HTTPStatus._value2member_map_ else "")
    if status == 404 and not ex.description:
        message = "Requested resource not found"
    resp.content_type = falcon.MEDIA_JSON
    resp.media = body(status, message)
