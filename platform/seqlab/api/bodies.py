"""Request bodies of the API, checked by DRF serializers before any service sees them.

A submission is one of:
    {"filename": "attention.py", "content_base64": "..."}     (or "content": "text")
    {"files": [{"filename": "transformer.py", "content_base64": "..."},
               {"filename": "diagram.dot", "content": "digraph {...}"}]}
or a multipart form with one or several `file` parts. Types are strict: a number is not a
string, a list is not text. File names follow seqlab.submissions.uploads.filename_problem.
"""
from __future__ import annotations

import base64
import binascii

from django.conf import settings
from rest_framework import serializers

from seqlab.submissions.uploads import UploadFile, filename_problem

MAX_FILES = 16


class StrictStringField(serializers.Field):
    """A JSON string and nothing else (DRF's CharField would turn 5 or [1, 2] into text)."""

    default_error_messages = {"invalid": "Must be a string.", "too_long": "At most {max} characters.",
                              "encoding": "Holds characters that cannot be stored (lone surrogates)."}

    def __init__(self, *, max_length: int, **kwargs):
        self.max_length = max_length
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        if len(data) > self.max_length:
            self.fail("too_long", max=self.max_length)
        try:
            data.encode("utf-8")
        except UnicodeEncodeError:
            self.fail("encoding")
        return data

    def to_representation(self, value):
        return value


class FilenameField(StrictStringField):
    def __init__(self, **kwargs):
        super().__init__(max_length=1000, **kwargs)

    def to_internal_value(self, data):
        name = super().to_internal_value(data)
        problem = filename_problem(name)
        if problem:
            raise serializers.ValidationError(problem)
        return name


class Base64Field(StrictStringField):
    """Standard base64 text of at most the upload limit; decodes to bytes."""

    def __init__(self, **kwargs):
        super().__init__(max_length=settings.SEQLAB_MAX_UPLOAD_BYTES * 4 // 3 + 8, **kwargs)

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise serializers.ValidationError("Not valid base64.") from None


class FileBody(serializers.Serializer):
    filename = FilenameField()
    content_base64 = Base64Field(required=False)
    content = StrictStringField(max_length=settings.SEQLAB_MAX_UPLOAD_BYTES, required=False)

    def validate(self, attrs):
        if ("content" in attrs) == ("content_base64" in attrs):
            raise serializers.ValidationError("Give exactly one of content_base64 or content.")
        return attrs


def _as_upload(attrs: dict) -> UploadFile:
    data = attrs["content_base64"] if "content_base64" in attrs else attrs["content"].encode("utf-8")
    return UploadFile(attrs["filename"], data)


class SubmissionBody(serializers.Serializer):
    """One file (filename + content or content_base64) or `files`, a list of them."""

    filename = FilenameField(required=False)
    content_base64 = Base64Field(required=False)
    content = StrictStringField(max_length=settings.SEQLAB_MAX_UPLOAD_BYTES, required=False)
    files = FileBody(many=True, required=False, allow_empty=False, max_length=MAX_FILES)

    def validate(self, attrs):
        single = "content" in attrs or "content_base64" in attrs
        if single == ("files" in attrs):
            raise serializers.ValidationError("Send either files or one file's content (content_base64 or content).")
        if "content" in attrs and "content_base64" in attrs:
            raise serializers.ValidationError("Give exactly one of content_base64 or content.")
        if "files" in attrs and "filename" in attrs:
            raise serializers.ValidationError("With files, each file names itself; leave out filename.")
        return attrs

    def uploads(self, default_name: str) -> list[UploadFile]:
        attrs = self.validated_data
        if "files" in attrs:
            return [_as_upload(f) for f in attrs["files"]]
        return [_as_upload({"filename": attrs.get("filename") or default_name, **attrs})]
