from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared needs below every app: the audit trail and queueing grading. Imports no app."""

    name = "seqlab.core"
    label = "core"
