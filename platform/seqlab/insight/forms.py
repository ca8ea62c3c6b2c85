from django import forms

from seqlab.insight.models import Decision


class HintForm(forms.Form):
    mistake = forms.CharField(max_length=120)
    text_ko = forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    text_en = forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[(Decision.DISMISSED, "dismiss"), (Decision.REFERRED, "refer"),
                                          (Decision.OPEN, "reopen")])
    comment = forms.CharField(max_length=2000, required=False)
