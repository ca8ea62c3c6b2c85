"""The link page's form: which of the instructor's courses an LMS course is, and their password."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from seqlab.courses.presentation import reader_lang


class CourseChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.title(reader_lang())} ({obj.slug}, {obj.term})"


class CourseLinkForm(forms.Form):
    course = CourseChoice(queryset=None, label=_("SeqLab course"), empty_label=None)
    password = forms.CharField(label=_("Your SeqLab password"), max_length=128, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    def __init__(self, *args, courses, confirmed: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = courses
        if confirmed:       # the LMS identity is already this account: nothing more to prove
            del self.fields["password"]
