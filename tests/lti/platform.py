"""A Moodle stand-in for the tests: the ``lti1p3platform`` package (not ours) behind a local HTTP server.

The package makes every platform-side payload: the OIDC login initiation, the signed id_token,
the access tokens, and the checks of what Kyky sends (its deep-linking response, its client
assertion, its bearer token and score). The server only routes HTTP to the package's objects and
records what they accept; ``down`` makes chosen paths answer 503, as a Moodle under maintenance.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from jwcrypto.jwk import JWK
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.membership import Context
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request, TRequest
from lti1p3platform.score import UpdateScoreStatus
from lti1p3platform.service_connector import AssignmentsGradesService, NamesRoleProvisioningService

LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
CLIENT_ID = "kyky-client-1"
DEPLOYMENT_ID = "1"


def rsa_pem_pair() -> tuple[str, str]:
    key = JWK.generate(kty="RSA", size=2048)
    return key.export_to_pem(private_key=True, password=None).decode(), key.export_to_pem().decode()


class PlatformConf(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, **kwargs):
        self._registration = kwargs["registration"]

    def get_registration_by_params(self, **kwargs):
        return self._registration


class DictRequest(Request):
    """The package's request interface, filled from plain values."""

    def build_metadata(self, request) -> TRequest:
        return request


class Login(OIDCLoginAbstract):
    def set_lti_message_hint(self, **kwargs):
        self._lti_message_hint = kwargs["hint"]

    def get_redirect(self, url):
        return url


class MessageLaunch(LTIAdvantageMessageLaunchAbstract):
    def render_launch_form(self, launch_data, **kwargs):
        return launch_data


class Grades(AssignmentsGradesService):
    """Line item 1 of the course; scores are kept on the server, latest timestamp wins as in Moodle."""

    def __init__(self, request, platform_config, server):
        super().__init__(request, platform_config, lineitems_url=f"{server.base}/lineitems")
        self.server = server

    def find_lineitems(self, **kwargs):
        return {"content": [], "has_next": False}

    def find_lineitem(self, line_item_id):
        return {"id": f"{self.server.base}/lineitems/{line_item_id}", "scoreMaximum": 1}

    def create_lineitem(self, creation_data):
        return creation_data

    def update_lineitem(self, update_data):
        return update_data

    def delete_lineitem(self, line_item_id):
        return None

    def get_results(self, line_item_id, **kwargs):
        return {"content": [], "has_next": False}

    def update_score(self, line_item_id, score):
        latest = [s for s in self.server.scores if s["userId"] == score["userId"]]
        if latest and latest[-1]["timestamp"] >= score["timestamp"]:
            return UpdateScoreStatus.OLD_TIMESTAMP
        self.server.scores.append({**score, "lineitem": line_item_id})
        return UpdateScoreStatus.SUCCESS


class Roster(NamesRoleProvisioningService):
    def __init__(self, request, platform_config, server):
        super().__init__(request, platform_config, context_memberships_url=f"{server.base}/memberships")
        self.server = server

    def get_context_by_id(self):
        return Context(id="course-42", label="TK", title="Työkyky 2027")

    def get_member_data_page(self, **kwargs):
        return {"content": [dict(m) for m in self.server.members], "has_next": False}


class Handler(BaseHTTPRequestHandler):
    server: PlatformServer

    def log_message(self, *args):
        pass

    def _answer(self, code: int, body, content_type="application/json"):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _request(self, method: str) -> DictRequest:
        parts = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        content_type = self.headers.get("Content-Type", "")
        return DictRequest(
            {
                "method": method,
                "form_data": dict(parse_qsl(body)) if "form" in content_type else {},
                "json": json.loads(body) if "json" in content_type and body else None,
                "get_data": dict(parse_qsl(parts.query)),
                "headers": dict(self.headers.items()),
                "content_type": content_type,
                "path": parts.path,
            }
        )

    def _route(self, method: str):
        path = urlsplit(self.path).path
        self.server.calls.append((method, path))
        if any(path.startswith(prefix) for prefix in self.server.down):
            return self._answer(503, {"error": "maintenance"})
        request = self._request(method)
        conf = self.server.conf
        if path == "/jwks":
            return self._answer(200, conf.get_jwks())
        if path == "/token":
            try:
                return self._answer(200, conf.get_access_token(request.form_data))
            except Exception as error:  # the package refuses the client assertion
                return self._answer(400, {"error": str(error)})
        if path.startswith("/lineitems/") and path.endswith("/scores"):
            line_item_id = path.split("/")[2]
            response = Grades(request, conf, self.server).handle_resp(
                Grades(request, conf, self.server).handle_update_score, line_item_id=line_item_id
            )
            return self._answer(response.code, {"status": response.message}, response.media_type)
        if path == "/memberships":
            service = Roster(request, conf, self.server)
            response = service.handle_resp(service.handle_get_members)
            return self._answer(response.code, response.result or {"error": response.message}, response.media_type)
        return self._answer(404, {"error": "not found"})

    def do_GET(self):
        self._route("GET")

    def do_POST(self):
        self._route("POST")


class PlatformServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server_address[1]}"
        self.private_pem, self.public_pem = rsa_pem_pair()
        self.registration = (
            Registration()
            .set_iss(self.base)
            .set_client_id(CLIENT_ID)
            .set_deployment_id(DEPLOYMENT_ID)
            .set_oidc_login_url("http://testserver/lti/login/")
            .set_launch_url("http://testserver/lti/launch/")
            .set_deeplink_launch_url("http://testserver/lti/launch/")
            .set_platform_public_key(self.public_pem)
            .set_platform_private_key(self.private_pem)
        )
        self.conf = PlatformConf(registration=self.registration)
        self.scores: list[dict] = []
        self.members: list[dict] = []
        self.down: set[str] = set()
        self.calls: list[tuple[str, str]] = []

    def start(self):
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def trust_tool(self, jwks: dict) -> None:
        """Moodle's *Public keyset URL* of the tool, read once (here: the JSON Kyky's endpoint served)."""
        self.registration.set_tool_key_set(jwks)
