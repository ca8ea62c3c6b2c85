"""Forms staff fill in: overrides, offerings, extensions, and rubric grades of written answers."""
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from seqlab.courses.models import EARLIEST_DATE, Offering, Role
from seqlab.courses.selectors import course_students
from seqlab.gradebook.models import MAX_OVERRIDE_POINTS, GradeCategory

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
                  "max_submissions", "cooldown_seconds", "score_policy", "time_limit_minutes"]
        widgets = {"release_at": DATE, "due_at": DATE, "hard_cutoff_at": DATE}
        labels = {"assignment": _("Assignment"), "release_at": _("Release"), "due_at": _("Due"),
                  "hard_cutoff_at": _("Late until"), "late_penalty_per_day": _("Late penalty per day (0.1 = 10%)"),
                  "max_submissions": _("Submissions at most (blank: no limit)"),
                  "cooldown_seconds": _("Cool-down between submissions (s)"), "score_policy": _("Score that counts"),
                  "time_limit_minutes": _("Time limit in minutes from each student's start (blank: untimed)")}
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

    def clean(self):
        data = super().clean()
        for name in ("due_at", "hard_cutoff_at"):
            if data.get(name) is not None and data[name] < EARLIEST_DATE:
                self.add_error(name, _("Choose a date after 1970."))
        return data


class WrittenGradeForm(forms.Form):
    """A TA's grade of one written answer: the rubric criteria it meets, and an optional comment."""

    check_number = forms.CharField(max_length=20)
    met = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=[(i, i) for i in range(50)])
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RowChoiceField(forms.ModelChoiceField):
    """A row of the course by id: anything but a short decimal id is refused before the database sees it."""

    def to_python(self, value):
        text = str(value)
        if value not in self.empty_values and not (text.isascii() and text.isdecimal() and len(text) <= 18):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class CategoryForm(forms.Form):
    """One grade category: its names and its share of the course total. `category` blank: a new one."""

    category = RowChoiceField(queryset=None, required=False, widget=forms.HiddenInput)
    title_ko = forms.CharField(max_length=100, required=False, label=_("Name in Korean"))
    title_en = forms.CharField(max_length=100, required=False, label=_("Name in English"))
    weight = forms.DecimalField(min_value=0, max_value=100, max_digits=5, decimal_places=2, label=_("Weight in percent"))

    def __init__(self, *args, course, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = GradeCategory.objects.filter(course=course)

    def clean(self):
        data = super().clean()
        if not (data.get("title_ko", "").strip() or data.get("title_en", "").strip()):
            raise forms.ValidationError(_("A category needs a name."))
        return data


class CategoryDeleteForm(forms.Form):
    category = RowChoiceField(queryset=None, widget=forms.HiddenInput)

    def __init__(self, *args, course, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = GradeCategory.objects.filter(course=course)


class OfferingCategoriesForm(forms.Form):
    """Each offering's category (or none), one select per offering of the course."""

    def __init__(self, *args, offerings, categories, lang: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.offerings = offerings
        for offering in offerings:
            field = RowChoiceField(queryset=categories, required=False, empty_label=_("(none)"),
                                           label=offering.assignment.title(lang))
            field.label_from_instance = lambda c: f"{c.title(lang)} ({float(c.weight):g} %)"
            link = getattr(offering, "grade_category", None)
            self.fields[f"offering-{offering.pk}"] = field
            self.initial[f"offering-{offering.pk}"] = link.category_id if link else None

    def choices(self):
        """(offering, category or None) for every offering."""
        return [(o, self.cleaned_data.get(f"offering-{o.pk}")) for o in self.offerings]


class AuditFilterForm(forms.Form):
    """The audit trail's filters; each choice is limited to the course's own offerings, students and staff."""

    offering = RowChoiceField(queryset=None, required=False, label=_("Assignment"), empty_label=_("All assignments"))
    student = RowChoiceField(queryset=None, required=False, label=_("Student"), empty_label=_("All students"))
    actor = RowChoiceField(queryset=None, required=False, label=_("Changed by"), empty_label=_("Anyone"))

    def __init__(self, *args, course, lang: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offering"].queryset = course.offerings.select_related("assignment")
        self.fields["offering"].label_from_instance = lambda o: o.assignment.title(lang)
        self.fields["student"].queryset = course_students(course=course)
        members = get_user_model().objects.filter(memberships__course=course)
        self.fields["actor"].queryset = members.filter(
            memberships__role__in=[Role.TA, Role.INSTRUCTOR]).order_by("username")
