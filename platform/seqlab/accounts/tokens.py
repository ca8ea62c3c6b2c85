"""How a key becomes what is stored: sha256 of a 256-bit random key (no salt needed at that entropy)."""
import hashlib
import secrets


def key_new() -> str:
    return secrets.token_hex(32)


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode("ascii", errors="replace")).hexdigest()
