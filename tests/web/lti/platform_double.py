"""A real LTI 1.3 platform beside the tests: lti1p3platform's launch, token, AGS and NRPS logic,
served over HTTP on a loopback port (the tool fetches its keys and posts grades there).

Only the HTTP glue is ours; message signing, access tokens, token validation and the
services' request handling are the library's.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlparse
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from jwcrypto.jwk import JWK
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import RequestBase
from lti1p3platform.service_connector import AssignmentsGradesService, NamesRoleProvisioningService

LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
TA = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"


class PlainRequest(RequestBase):
    def __init__(self, **request: Any) -> None:
        self.request = {"method": "GET", "form_data": {}, "get_data": {}, "headers": {}, "content_type": None,
                        "path": "/", "json": None} | request

    @property
    def json(self) -> Any:
        return self.request["json"]


class PlatformConfig(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, **kwargs: Any) -> None:
        self._reg = kwargs["registration"]

    def get_registration_by_params(self, **kwargs: Any) -> Registration:
        return self._reg


class Launch(LTIAdvantageMessageLaunchAbstract):
    def render_launch_form(self, launch_data: dict, **kwargs: Any) -> dict:
        return launch_data

    def get_redirect(self, url: str) -> str:
        return url


@dataclass
class Platform:
    """One LMS: a course (context), its members, line items with the scores tools posted."""

    client_id: str = "seqlab-client"
    deployment_id: str = "dep-1"
    context_id: str = "course-101"
    members: list[dict] = field(default_factory=list)
    scores: list[dict] = field(default_factory=list)
    token_requests: int = 0

    def __post_init__(self) -> None:
        key = JWK.generate(kty="RSA", size=2048, kid="platform-key-1")
        self.private_pem = key.export_to_pem(private_key=True, password=None).decode()
        self.public_pem = key.export_to_pem().decode()
        self.server: WSGIServer | None = None

    # ----------------------------------------------------------------- HTTP
    @property
    def base(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_port}"

    @property
    def issuer(self) -> str:
        return "https://lms.example.test"

    def start(self) -> "Platform":
        class Quiet(WSGIRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass
        self.server = make_server("127.0.0.1", 0, self.app, handler_class=Quiet)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    def registration(self, tool_jwks: dict | None = None, launch_url: str = "", login_url: str = "") -> Registration:
        reg = (Registration().set_iss(self.issuer).set_client_id(self.client_id)
               .set_deployment_id(self.deployment_id).set_launch_url(launch_url).set_deeplink_launch_url(launch_url)
               .set_oidc_login_url(login_url)
               .set_platform_public_key(self.public_pem).set_platform_private_key(self.private_pem))
        if tool_jwks is not None:
            reg.set_tool_key_set(tool_jwks)
        return reg

    def config(self, tool_jwks: dict | None = None) -> PlatformConfig:
        return PlatformConfig(registration=self.registration(tool_jwks))

    def app(self, environ: dict, start_response: Any) -> list[bytes]:
        path = environ["PATH_INFO"]
        method = environ["REQUEST_METHOD"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        headers = {"Authorization": environ.get("HTTP_AUTHORIZATION", "")}
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        status, payload = self.route(method, path, body, headers, query)
        start_response(f"{status} X", [("Content-Type", "application/json")])
        return [json.dumps(payload).encode()]

    def route(self, method: str, path: str, body: bytes, headers: dict, query: dict) -> tuple[int, Any]:
        config = self.config(self.tool_jwks)
        config.get_registration()
        if path == "/jwks":
            return 200, config.get_jwks()
        if path == "/token" and method == "POST":
            self.token_requests += 1
            form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
            try:
                return 200, config.get_access_token(form)
            except Exception as exc:   # the library's refusal, as a platform would answer it
                return 400, {"error": "invalid_client", "error_description": str(exc)}
        if path.startswith("/lineitems/") and path.endswith("/scores"):
            ags = ScoresService(PlainRequest(method=method, headers=headers, json=json.loads(body or b"null"),
                                             path=path), config, f"{self.base}/lineitems", platform=self)
            resp = ags.handle_resp(ags.handle_update_score, line_item_id=path.split("/")[2])
            return resp.code, {"message": resp.message}
        if path == "/memberships":
            nrps = Roster(PlainRequest(method=method, headers=headers, get_data=query), config,
                          f"{self.base}/memberships", platform=self)
            resp = nrps.handle_resp(nrps.handle_get_members)
            return resp.code, resp.result if resp.result is not None else {"message": resp.message}
        return 404, {"message": "no such endpoint"}

    tool_jwks: dict | None = None

    # ----------------------------------------------------------------- launches
    def launch(self, preflight: dict, *, user_id: str, roles: list[str], name: str = "", email: str = "",
               resource_link: str | None = "rl-1", custom: dict | None = None, lineitem: str | None = None,
               deep_link_return: str | None = None, expiration: int = 300, launch_url: str = "") -> dict:
        """The platform's answer to the tool's OIDC redirect: a signed id_token and where to post it."""
        config = self.config()
        config._reg.set_launch_url(launch_url).set_deeplink_launch_url(launch_url)
        launch = Launch(PlainRequest(get_data=preflight), config)
        launch.set_user_data(user_id, roles, full_name=name or None, email_address=email or None)
        launch.set_launch_context_claim(self.context_id, context_title="Sequence Models 101", context_label="SEQ101")
        if resource_link:
            launch.set_resource_link_claim(resource_link, title="item")
        if custom:
            launch.set_custom_parameters_claim(custom)
        launch.set_ags(f"{self.base}/lineitems", lineitem, scores_service_enabled=True)
        launch.set_nrps(f"{self.base}/memberships")
        if deep_link_return:
            launch.set_dl(deep_link_return, title="Add SeqLab items")
        launch.set_id_token_expiration(expiration)
        return launch.lti_launch()

    def accept_deep_link(self, jwt: str, tool_jwks: dict) -> list[dict]:
        """The content items a tool returned, verified with the tool's keys (the library's check)."""
        config = self.config(tool_jwks)
        config.get_registration()
        return config.validate_deeplinking_resp({"JWT": jwt})


class ScoresService(AssignmentsGradesService):
    def __init__(self, *args: Any, platform: Platform, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.platform = platform

    def update_score(self, line_item_id: str, score: Any):
        from lti1p3platform.score import UpdateScoreStatus
        self.platform.scores.append({"lineitem": line_item_id, **score})
        return UpdateScoreStatus.SUCCESS

    def find_lineitems(self, *args: Any, **kwargs: Any):
        return {"content": [], "has_next": False}

    def find_lineitem(self, line_item_id: str):
        return {"id": line_item_id}

    def create_lineitem(self, lineitem):
        return lineitem

    def update_lineitem(self, line_item_id, lineitem):
        return lineitem

    def delete_lineitem(self, line_item_id):
        return None

    def get_results(self, *args: Any, **kwargs: Any):
        return {"content": [], "has_next": False}


class Roster(NamesRoleProvisioningService):
    def __init__(self, *args: Any, platform: Platform, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.platform = platform

    def get_member_data_page(self, page: int = 1, limit: int | None = None, role: str | None = None,
                             since: str | None = None, **_: Any):
        return {"content": list(self.platform.members), "has_next": False, "next": None}

    def get_context_by_id(self):
        from lti1p3platform.membership import Context
        return Context(id=self.platform.context_id, label="SEQ101", title="Sequence Models 101")


def preflight_from(url: str) -> dict:
    """The OIDC authentication request's parameters (the tool redirected the browser there)."""
    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
