"""Store bytes once, under their sha256."""
import hashlib

from seqlab.blobs.models import Blob


def blob_store(*, data: bytes) -> Blob:
    """Return the blob holding `data`, creating it if these bytes were never seen."""
    digest = hashlib.sha256(data).hexdigest()
    blob, _ = Blob.objects.get_or_create(sha256=digest, defaults={"size": len(data), "data": data})
    return blob


def blob_bytes(*, blob: Blob) -> bytes:
    """The blob's bytes as `bytes` (PostgreSQL hands back a memoryview)."""
    return bytes(blob.data)
