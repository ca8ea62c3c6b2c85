"""Stop taking a multipart upload once it holds more than any submission may.

Django writes uploaded files to memory or a temporary file whatever their size, before a view
can look at them; this handler, first in FILE_UPLOAD_HANDLERS, counts the bytes as they arrive
and, past the limit, stops keeping them and marks the request (`request.upload_too_large`), so
the view refuses it with a message instead of the site storing gigabytes first.
"""
from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

SLACK = 64 * 1024       # multipart framing


class QuotaUploadHandler(FileUploadHandler):
    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.SEQLAB_MAX_UPLOAD_BYTES + SLACK:
            if self.request is not None:
                self.request.upload_too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


def upload_too_large(request) -> bool:
    return bool(getattr(request, "upload_too_large", False))
