"""Register an LMS (an LTI 1.3 platform) with SeqLab, and print what to enter in the LMS."""
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from lti_tool.models import Key, LtiDeployment, LtiRegistration


class Command(BaseCommand):
    help = "Register an LTI 1.3 platform (issuer, client id, its endpoints) and activate a deployment."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--issuer", required=True)
        parser.add_argument("--client-id", required=True)
        parser.add_argument("--auth-url", required=True, help="the platform's OIDC authorisation endpoint")
        parser.add_argument("--token-url", required=True, help="the platform's OAuth2 token endpoint")
        parser.add_argument("--keyset-url", required=True, help="the platform's JWKS")
        parser.add_argument("--deployment", action="append", default=[], help="a deployment id to accept")
        parser.add_argument("--site", default="https://seqlab.example.org", help="SeqLab's public base URL")

    @transaction.atomic
    def handle(self, *args, **o):
        if not o["deployment"]:
            raise CommandError("name at least one --deployment the LMS will launch with")
        if not Key.objects.active().exists():
            Key.objects.generate()
        reg, _ = LtiRegistration.objects.update_or_create(
            issuer=o["issuer"], client_id=o["client_id"],
            defaults={"name": o["name"], "auth_url": o["auth_url"], "token_url": o["token_url"],
                      "keyset_url": o["keyset_url"], "is_active": True})
        for dep in o["deployment"]:
            LtiDeployment.objects.update_or_create(registration=reg, deployment_id=dep, defaults={"is_active": True})
        site = o["site"].rstrip("/")
        self.stdout.write(f"registered {reg.name} ({reg.issuer}, client {reg.client_id})\n"
                          "enter in the LMS:\n"
                          f"  OIDC login initiation URL: {site}{reverse('lti:login', args=[reg.uuid])}\n"
                          f"  target link / redirect URI: {site}{reverse('lti:launch')}\n"
                          f"  deep linking URL:           {site}{reverse('lti:launch')}\n"
                          f"  public keyset (JWKS) URL:   {site}{reverse('lti:jwks')}")
