from django import forms
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from seqlab.regrades.models import MAX_ANSWER, MAX_REASON


class RequestForm(forms.Form):
    check_number = forms.CharField(max_length=20, label=_("Check"))
    reason = forms.CharField(max_length=MAX_REASON, widget=forms.Textarea(attrs={"rows": 4}),
                             label=_("Why do you think this check misjudged your code?"))


class AnswerForm(forms.Form):
    answer = forms.CharField(max_length=MAX_ANSWER, widget=forms.Textarea(attrs={"rows": 5}), label=pgettext_lazy("a reply to a regrade request", "Answer"))
    score = forms.FloatField(required=False, min_value=0, label=_("New score for this check (blank: unchanged)"))
