"""Forms staff fill in: overrides, offerings, extensions, and rubric grades of written answers."""
from django import forms
from django.utils.translation import gettext_lazy as _

from seqlab.courses.models import Offering

DATE = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class OverrideForm(forms.Form):
    check_number = forms.CharField(required=False, max_length=20)
    score = forms.FloatField(min_value=0)
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))


class OfferingForm(forms.ModelForm):
    class Meta:
        model = Offering
        fields = ["assignment", "release_at", "due_at", "hard_cutoff_at", "late_penalty_per_day",
                  "max_submissions", "cooldown_seconds", "score_policy"]
        widgets = {"release_at": DATE, "due_at": DATE, "hard_cutoff_at": DATE}
        labels = {"assignment": _("Assignment"), "release_at": _("Release"), "due_at": _("Due"),
                  "hard_cutoff_at": _("Late until"), "late_penalty_per_day": _("Late penalty per day (0.1 = 10%)"),
                  "max_submissions": _("Submissions at most (blank: no limit)"),
                  "cooldown_seconds": _("Cool-down between submissions (s)"), "score_policy": _("Score that counts")}
        help_texts = {name: "" for name in labels}


class ExtensionForm(forms.Form):
    student = forms.ModelChoiceField(queryset=None, label=_("Student"))
    due_at = forms.DateTimeField(widget=DATE, label=_("Due"))
    hard_cutoff_at = forms.DateTimeField(widget=DATE, required=False, label=_("Late until"))
    reason = forms.CharField(max_length=300, required=False, label=_("Reason"))

    def __init__(self, *args, students=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = students


class WrittenGradeForm(forms.Form):
    """A TA's grade of one written answer: the rubric criteria it meets, and an optional comment."""

    check_number = forms.CharField(max_length=20)
    met = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=[(i, i) for i in range(50)])
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
