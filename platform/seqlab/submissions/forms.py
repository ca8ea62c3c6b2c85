"""Parse a submission from the page: an uploaded file, pasted code, a notebook, or answers."""
import math
import re
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from graders.quiz import MAX_TEXT
from seqlab.courses.questions import field_name, is_multi
from seqlab.submissions.uploads import UploadFile

MAX_PASTE_CHARS = 1 << 20        # the engine's source limit (graders/stages/upload.py)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name (Django's documented pattern); cleans to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class SubmitForm(forms.Form):
    mode = forms.ChoiceField(choices=[("upload", "upload"), ("paste", "paste"), ("notebook", "notebook")])
    file = MultipleFileField(required=False, allow_empty_file=True)    # clean() names an empty file
    code = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "false"}),
                           strip=False, max_length=MAX_PASTE_CHARS)

    def clean(self):
        data = super().clean()
        files = data.get("file") or []
        if data.get("mode") == "paste" and not (data.get("code") or "").strip():
            raise forms.ValidationError(_("Paste your code first."))
        if data.get("mode") in ("upload", "notebook") and not files:
            raise forms.ValidationError(_("Choose a file first."))
        empty = [f.name for f in files if not f.size] if data.get("mode") in ("upload", "notebook") else []
        if empty:
            raise forms.ValidationError(_("The uploaded file “%(name)s” is empty.") % {"name": empty[0][:100]})
        if data.get("mode") == "notebook" and not any(f.name.endswith(".ipynb") for f in files):
            raise forms.ValidationError(_("A notebook file ends in .ipynb."))
        too_big = [f.name for f in files if f.size > settings.SEQLAB_MAX_UPLOAD_BYTES]
        if too_big:      # refused before a byte of it is read into memory
            raise forms.ValidationError(_("%(name)s is larger than %(kib)d KiB.")
                                        % {"name": too_big[0][:100], "kib": settings.SEQLAB_MAX_UPLOAD_BYTES // 1024})
        return data

    def payload(self, default_name: str) -> tuple[list[UploadFile], str]:
        """([files], kind) of the submission: pasted code is one file under the assignment's name."""
        if self.cleaned_data["mode"] == "paste":
            code = self.cleaned_data["code"].replace("\r\n", "\n").encode("utf-8")
            return [UploadFile(default_name, code)], "paste"
        return [UploadFile(f.name, f.read()) for f in self.cleaned_data["file"]], self.cleaned_data["mode"]


class AnswersForm(forms.Form):
    """A quiz's or written part's questions as fields; `answers()` is what answers.json holds.

    A numeric field that is not a number is a form error, not a submission: the student loses
    no attempt over a typo (PrairieLearn's format errors).
    """

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for q in questions:
            self.fields[field_name(q)] = _answer_field(q)

    def clean(self):
        data = super().clean()
        if not any(_filled(data.get(field_name(q))) for q in self.questions):
            raise forms.ValidationError(_("Answer at least one question before submitting."))
        return data

    def answers(self) -> dict[str, Any]:
        """{question id: answer} for the questions answered (blank ones are left out)."""
        found = {q.id: self.cleaned_data.get(field_name(q)) for q in self.questions}
        return {qid: _tidy(value) for qid, value in found.items() if _filled(value)}

    def question_errors(self) -> dict[str, str]:
        return {q.id: " ".join(self.errors[field_name(q)]) for q in self.questions if field_name(q) in self.errors}

    def values(self) -> dict[str, Any]:
        """What each field shows now: the posted value, or the initial (last submitted) one."""
        return {q.id: self[field_name(q)].value() for q in self.questions}


def _filled(value) -> bool:
    return bool(value.strip()) if isinstance(value, str) else value not in (None, [])


def _tidy(value):
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


DECIMAL_COMMA = re.compile(r"[+-]?(\d+),(\d+)")


def _decimal_comma(text: str) -> str:
    """"0,6285" (a decimal comma, as many locales write it) is 0.6285; "1,234" could be either, so ask."""
    found = DECIMAL_COMMA.fullmatch(text)
    if "." in text or text.count(",") > 1 or not found:
        raise forms.ValidationError(_("Write one number with a dot for decimals and no thousands separators, "
                                      "e.g. 0.6285 or 1234."))
    if len(found.group(2)) == 3 and found.group(1).lstrip("0"):
        raise forms.ValidationError(_("Is “%(text)s” a decimal or a thousand? Write it with a dot for decimals "
                                      "(e.g. %(dot)s) and no thousands separators.") %
                                    {"text": text, "dot": text.replace(",", ".")})
    return text.replace(",", ".")


def parse_number(text: str) -> str:
    """The answer as the engine reads it (a dot for decimals), or a ValidationError saying why not."""
    text = text.strip()
    if "," in text and len(text) <= 60:          # longer is refused by max_length anyway
        text = _decimal_comma(text)
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if text and not math.isfinite(value):
        raise forms.ValidationError(_("Enter a number, e.g. 0.1234 or 1.5e-3."))
    return text


class NumberAnswerField(forms.CharField):
    """A numeric answer as text; a decimal comma is read as a decimal point."""

    def to_python(self, value):
        return parse_number(super().to_python(value))


def _answer_field(q) -> forms.Field:
    if q.type == "numeric":
        return NumberAnswerField(required=False, max_length=60)
    if q.type == "choice":
        options = [(c["id"], c["id"]) for c in q.choices]
        return forms.MultipleChoiceField(required=False, choices=options) if is_multi(q) else \
            forms.ChoiceField(required=False, choices=options)
    return forms.CharField(required=False, max_length=MAX_TEXT, strip=False)
