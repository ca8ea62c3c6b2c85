from django.apps import AppConfig


class BlobsConfig(AppConfig):
    name = "seqlab.blobs"
    label = "blobs"
