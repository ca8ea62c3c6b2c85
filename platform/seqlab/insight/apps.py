from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "seqlab.insight"
    label = "insight"
    verbose_name = "Misconceptions and similarity"
