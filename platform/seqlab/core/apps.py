from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared needs below every app: the audit trail and queueing grading. Imports no app."""

    name = "seqlab.core"
    label = "core"

    def ready(self) -> None:
        from django.db import connections
        from django.db.backends.signals import connection_created

        from seqlab.core.pagecache import watch_connection
        connection_created.connect(watch_connection, dispatch_uid="seqlab.pagecache")
        for connection in connections.all(initialized_only=True):   # opened before ready()
            watch_connection(None, connection)
