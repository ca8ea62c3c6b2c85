"""Existing plain-text API tokens become hashed ones (the client keeps working); the plain text goes."""
import hashlib

from django.db import migrations


def hash_plain_tokens(apps, schema_editor):
    Token = apps.get_model("authtoken", "Token")
    ApiToken = apps.get_model("accounts", "ApiToken")
    for token in Token.objects.all():
        ApiToken.objects.get_or_create(digest=hashlib.sha256(token.key.encode("ascii")).hexdigest(),
                                       defaults={"user_id": token.user_id, "prefix": token.key[:8]})
    Token.objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_api_tokens"),
        ("authtoken", "0003_tokenproxy"),
    ]

    operations = [migrations.RunPython(hash_plain_tokens, migrations.RunPython.noop)]
