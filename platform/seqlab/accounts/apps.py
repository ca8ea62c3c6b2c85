from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "seqlab.accounts"
    label = "accounts"
