from django import forms
from django.utils.translation import gettext_lazy as _

from seqlab.courses.models import Role
from seqlab.roster.csvroster import MAX_BYTES


class CourseForm(forms.Form):
    slug = forms.SlugField(max_length=50, label=_("Short name (in addresses)"))
    title_ko = forms.CharField(max_length=200, label=_("Title in Korean"))
    title_en = forms.CharField(max_length=200, label=_("Title in English"))
    term = forms.CharField(max_length=40, label=_("Term (e.g. 2026-1)"))


class MemberForm(forms.Form):
    username = forms.CharField(max_length=150, label=_("Student id or username"))
    name = forms.CharField(max_length=150, required=False, label=_("Name"))
    email = forms.EmailField(required=False, label=_("E-mail"))
    role = forms.ChoiceField(choices=[(Role.STUDENT, _("student")), (Role.TA, _("TA"))], label=_("Role"))


class RosterUploadForm(forms.Form):
    file = forms.FileField(label=_("Roster CSV (id, name, e-mail, section)"))

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 1 MiB."))
        return f


class SectionForm(forms.Form):
    name = forms.CharField(max_length=60, label=_("Section name"))
