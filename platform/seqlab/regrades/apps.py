from django.apps import AppConfig


class RegradesConfig(AppConfig):
    name = "seqlab.regrades"
    verbose_name = "regrade requests"
