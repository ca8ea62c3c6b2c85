"""The API's JSON parser, bounded: a body too large or nested too deep is a 4xx, not a 500."""
from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser

from seqlab.core.jsonbounds import JSONRefused, loads_bounded


class BodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


class BoundedJSONParser(JSONParser):
    """Read at most SEQLAB_API_MAX_BODY_BYTES, then parse with a depth bound (no NaN, no Infinity)."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.SEQLAB_API_MAX_BODY_BYTES
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise BodyTooLarge(_("%(what)s is larger than %(n)d KiB.") % {"what": _("The request body"), "n": limit // 1024})
        try:
            return loads_bounded(raw, max_bytes=limit, max_depth=settings.SEQLAB_API_MAX_DEPTH,
                                 what=_("The request body"))
        except JSONRefused as exc:
            raise ParseError(str(exc)) from None
