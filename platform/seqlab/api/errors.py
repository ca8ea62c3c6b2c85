"""Every API error has the same shape: {"error": code, "detail": message[, "fields": {...}]}."""
from __future__ import annotations

from rest_framework.views import exception_handler as drf_exception_handler


def _first_code(codes) -> str:
    while isinstance(codes, (list, dict)) and codes:
        codes = next(iter(codes.values())) if isinstance(codes, dict) else codes[0]
    return codes if isinstance(codes, str) else "error"


def exception_handler(exc, context):
    """DRF's handler, then the API's error shape (the client prints `detail`)."""
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(response.data, dict) or "error" in response.data:
        return response
    detail = response.data.get("detail")
    code = _first_code(exc.get_codes()) if hasattr(exc, "get_codes") else "error"
    if detail is None:              # a serializer's field errors
        response.data = {"error": "bad_request", "detail": "The request body does not fit the API.",
                         "fields": response.data}
    else:
        response.data = {"error": code, "detail": str(detail)}
    return response
