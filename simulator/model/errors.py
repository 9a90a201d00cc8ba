"""Errors a mutation can raise; each facade maps them to its protocol's real error shape."""


class ModelError(Exception):
    """Base: a request the cloud refuses."""

    http_status = 400


class NotFound(ModelError):
    http_status = 404

    def __init__(self, kind: str, ident: str):
        self.kind, self.ident = kind, ident
        super().__init__(f"{kind} {ident} could not be found.")


class Conflict(ModelError):
    http_status = 409


class BadRequest(ModelError):
    http_status = 400
