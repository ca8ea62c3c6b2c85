"""Forms of the course pages: an instructor's accommodation of a student, a student's start of timed work."""
from django import forms
from django.utils.translation import gettext_lazy as _

from seqlab.courses.models import MAX_EXTRA_ATTEMPTS, MAX_EXTRA_DAYS, MAX_EXTRA_TIME_PERCENT


class AccommodationForm(forms.Form):
    student = forms.ModelChoiceField(queryset=None, label=_("Student"))
    extra_days = forms.IntegerField(min_value=0, max_value=MAX_EXTRA_DAYS, initial=0,
                                    label=_("Extra days on every due date and cutoff (0–365)"))
    extra_time_percent = forms.IntegerField(min_value=0, max_value=MAX_EXTRA_TIME_PERCENT, initial=0,
                                            label=_("Extra time on timed work, in percent (0–400)"))
    extra_attempts = forms.IntegerField(min_value=0, max_value=MAX_EXTRA_ATTEMPTS, initial=0,
                                        label=_("Extra attempts on every assignment (0–100)"))
    note = forms.CharField(max_length=500, required=False, label=_("Note (staff see it; the student does not)"),
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, students=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = students


class TimedStartForm(forms.Form):
    """Starting is explicit: the box must be ticked, so a stray click starts no clock."""

    confirm = forms.BooleanField(required=True, label=_("I am ready: start my time now. The clock does not stop."))
