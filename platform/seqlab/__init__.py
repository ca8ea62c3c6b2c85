"""SeqLab's Django project package: the site, its apps and the Celery app."""
from seqlab.config.celery import app as celery_app

__all__ = ("celery_app",)
