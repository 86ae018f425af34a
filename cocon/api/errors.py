"""The one error body of the API, documented in the OpenAPI document:

{"error": {"code": "validation_error", "message": "…",
           "details": [{"field": "…", "line": 3, "message": "…"}]}}
"""

from __future__ import annotations

from ninja import Schema


class ErrorDetail(Schema):
    field: str | None = None
    line: int | None = None
    message: str


class ErrorInfo(Schema):
    code: str
    message: str
    details: list[ErrorDetail] = []


class ErrorBody(Schema):
    error: ErrorInfo


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, details: list[dict] | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or []

    def body(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


ERROR_RESPONSES = {
    400: ErrorBody,
    401: ErrorBody,
    403: ErrorBody,
    404: ErrorBody,
    422: ErrorBody,
    429: ErrorBody,
}
