"""Forms staff fill in: overrides, offerings, extensions, rubric items and grades."""
from django import forms

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


class ExtensionForm(forms.Form):
    student = forms.ModelChoiceField(queryset=None)
    due_at = forms.DateTimeField(widget=DATE)
    hard_cutoff_at = forms.DateTimeField(widget=DATE, required=False)
    reason = forms.CharField(max_length=300, required=False)

    def __init__(self, *args, students=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = students


class RubricItemForm(forms.Form):
    prompt = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    guide = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    points = forms.FloatField(min_value=0)


class WrittenGradeForm(forms.Form):
    points = forms.FloatField(min_value=0)
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
