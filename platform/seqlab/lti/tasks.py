"""Periodic grade passback: every visible, changed grade reaches its LMS column within a sweep."""
from celery import shared_task

from seqlab.lti.passback import passback_all, passback_offering


@shared_task(name="seqlab.lti.tasks.passback_sweep", ignore_result=True)
def passback_sweep() -> dict:
    return passback_all()


@shared_task(name="seqlab.lti.tasks.passback_offering", ignore_result=True)
def passback_offering_task(offering_id: int) -> dict:
    from seqlab.courses.models import Offering
    offering = Offering.objects.filter(pk=offering_id).first()
    return passback_offering(offering=offering) if offering else {}
