"""Parse a submission from the page: an uploaded file, pasted code, or a notebook."""
from django import forms
from django.utils.translation import gettext_lazy as _


class SubmitForm(forms.Form):
    mode = forms.ChoiceField(choices=[("upload", "upload"), ("paste", "paste"), ("notebook", "notebook")])
    file = forms.FileField(required=False)
    code = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "false"}),
                           strip=False)

    def clean(self):
        data = super().clean()
        if data.get("mode") == "paste" and not (data.get("code") or "").strip():
            raise forms.ValidationError(_("Paste your code first."))
        if data.get("mode") in ("upload", "notebook") and not data.get("file"):
            raise forms.ValidationError(_("Choose a file first."))
        if data.get("mode") == "notebook" and data.get("file") and not data["file"].name.endswith(".ipynb"):
            raise forms.ValidationError(_("A notebook file ends in .ipynb."))
        return data

    def payload(self, default_name: str) -> tuple[str, bytes, str]:
        """(filename, bytes, kind) of the submission."""
        if self.cleaned_data["mode"] == "paste":
            return default_name, self.cleaned_data["code"].replace("\r\n", "\n").encode("utf-8"), "paste"
        upload = self.cleaned_data["file"]
        return upload.name, upload.read(), self.cleaned_data["mode"]
