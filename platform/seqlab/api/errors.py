"""Every API error has the same shape: {"error": code, "detail": message[, "fields": {...}]}."""
from __future__ import annotations

from rest_framework.views import exception_handler as drf_exception_handler


def _first_code(codes) -> str:
    while isinstance(codes, (list, dict)) and codes:
        codes = next(iter(codes.values())) if isinstance(codes, dict) else codes[0]
    return codes if isinstance(codes, str) else "error"


def _first_message(errors, path: str = "") -> str:
    """'files.1.filename: Give a plain file name, without folders.' from DRF's nested errors."""
    if isinstance(errors, dict):
        for key, value in errors.items():
            if value:
                name = "" if key == "non_field_errors" else str(key)
                return _first_message(value, f"{path}.{name}".strip(".") if name else path)
    if isinstance(errors, list):
        for index, value in enumerate(errors):
            if value:
                nested = isinstance(value, (dict, list))
                return _first_message(value, f"{path}.{index}".strip(".") if nested and path else path)
    text = str(errors) if errors else "The request body does not fit the API."
    return f"{path}: {text}" if path else text


def exception_handler(exc, context):
    """DRF's handler, then the API's error shape (the client prints `detail`)."""
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(response.data, dict) or "error" in response.data:
        return response
    detail = response.data.get("detail")
    code = _first_code(exc.get_codes()) if hasattr(exc, "get_codes") else "error"
    if detail is None:              # a serializer's field errors: the first one becomes the message
        response.data = {"error": "bad_request", "detail": _first_message(response.data), "fields": response.data}
    else:
        response.data = {"error": code, "detail": str(detail)}
    return response
