from django.apps import AppConfig


class LtiConfig(AppConfig):
    name = "seqlab.lti"
    label = "seqlab_lti"           # "lti" alone is close to django-lti's own "lti_tool"
    verbose_name = "LTI 1.3"
