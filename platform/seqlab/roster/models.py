"""Sections of a course: each with its TAs; each student in at most one section of a course."""
from __future__ import annotations

from django.conf import settings
from django.db import models


class Section(models.Model):
    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="sections")
    name = models.CharField(max_length=60)
    tas = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="ta_sections")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["course", "name"], name="section_name_once_per_course")]

    def __str__(self) -> str:
        return f"{self.course.slug}/{self.name}"


class StudentSection(models.Model):
    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="student_sections")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="students")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["course", "student"], name="one_section_per_student")]
