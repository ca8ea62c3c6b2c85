"""The LTI platform beside the tests and SeqLab's registration of it."""
from __future__ import annotations

import pytest

from tests.web.lti.platform_double import Platform


@pytest.fixture
def platform():
    lms = Platform().start()
    yield lms
    lms.stop()


@pytest.fixture
def registration(db, platform):
    from django.core.management import call_command
    from lti_tool.models import Key, LtiRegistration
    call_command("lti_register", name="Test LMS", issuer=platform.issuer, client_id=platform.client_id,
                 auth_url=f"{platform.base}/auth", token_url=f"{platform.base}/token",
                 keyset_url=f"{platform.base}/jwks", deployment=[platform.deployment_id], stdout=open("/dev/null", "w"))
    platform.tool_jwks = Key.objects.as_jwks()
    return LtiRegistration.objects.get(issuer=platform.issuer)
