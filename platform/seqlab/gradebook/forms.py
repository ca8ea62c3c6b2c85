"""Forms staff fill in: overrides, offerings, extensions, and rubric grades of written answers."""
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from seqlab.courses.models import Offering
from seqlab.gradebook.models import MAX_OVERRIDE_POINTS

DATE = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class OverrideForm(forms.Form):
    """The shape of an override; its bounds (the check's points) are the service's to enforce."""

    check_number = forms.CharField(required=False, max_length=20)
    score = forms.FloatField(min_value=0, max_value=MAX_OVERRIDE_POINTS)
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)
    bonus = forms.BooleanField(required=False, label=_("Bonus: more than the total (audited as a bonus)"))


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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:       # a new offering starts with the site's default cool-down
            self.initial.setdefault("cooldown_seconds", settings.SEQLAB_DEFAULT_COOLDOWN_SECONDS)


class ExtensionForm(forms.Form):
    student = forms.ModelChoiceField(queryset=None, label=_("Student"))
    due_at = forms.DateTimeField(widget=DATE, label=_("Due"))
    hard_cutoff_at = forms.DateTimeField(widget=DATE, required=False, label=_("Late until"))
    reason = forms.CharField(max_length=300, required=False, label=_("Reason"))

    def __init__(self, *args, students=None, **kwargs):
        kwargs.setdefault("auto_id", "ext_%s")    # shown beside the offering's form: its due_at has id_due_at
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = students


class WrittenGradeForm(forms.Form):
    """A TA's grade of one written answer: the rubric criteria it meets, and an optional comment."""

    check_number = forms.CharField(max_length=20)
    met = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=[(i, i) for i in range(50)])
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
