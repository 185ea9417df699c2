"""Kyky's side of the LTI 1.3 protocol, on ``pylti1p3`` and its Django adapter.

Why ``pylti1p3``: it is the maintained Python library for the tool side of LTI 1.3 (on PyPI since
2019, with a Django adapter). It implements the OIDC login, the id_token checks (signature against
the platform's key set, ``kid``/``alg`` matching, expiry, registration and deployment lookup,
message-type validation) and the Advantage services
(deep linking, assignment and grade services, names and roles) with a storage and configuration
interface that we fill from our own models. We write no JWT code of our own.

Where we go beyond the library, each for a reason found in its source (version 2.0):

* **Nonces are single use.** ``SessionService.check_nonce`` only asks whether the nonce was issued,
  and never forgets it, so the same id_token could be posted again while its ``exp`` lasts.
  ``SingleUseNonces`` deletes the nonce as it checks it (the cache's delete is atomic).
* **Launch state lives in the cache, not in Django's session.** The platform's form POST to the
  launch is cross-site, so our ``SameSite=Lax`` session cookie is not sent with it; ``pylti1p3``'s
  cache storage keys the state with its own ``SameSite=None; Secure`` cookie on HTTPS.
* **Several audiences need ``azp``.** The library compares only the first ``aud`` with the client id;
  the LTI spec asks that ``azp`` name the client when there are several.
* **Every call to the platform has a timeout.** The library's ``requests`` calls have none, and a
  worker must not hang on a Moodle that does not answer.
"""

from __future__ import annotations

import requests
from django.conf import settings
from pylti1p3.contrib.django import DjangoMessageLaunch, DjangoOIDCLogin
from pylti1p3.contrib.django.launch_data_storage.cache import DjangoCacheDataStorage
from pylti1p3.contrib.django.session import DjangoSessionService
from pylti1p3.deployment import Deployment
from pylti1p3.exception import LtiException
from pylti1p3.registration import Registration
from pylti1p3.tool_config import ToolConfAbstract

from . import keys
from .models import PlatformRegistration

TIMEOUT = getattr(settings, "KYKY_LTI_HTTP_TIMEOUT", 10)  # seconds, per request to a platform
LAUNCH_DATA_LIFETIME = 3600
LOGIN_ROUND_LIFETIME = 600  # seconds from Kyky's login answer to the platform's launch


class TimeoutSession(requests.Session):
    """A requests session whose every call gives up after ``TIMEOUT`` seconds."""

    def __init__(self):
        super().__init__()
        self.headers["User-Agent"] = "Kyky-LTI (pylti1p3)"

    def request(self, *args, **kwargs):
        kwargs.setdefault("timeout", TIMEOUT)
        return super().request(*args, **kwargs)


def registration_for(platform: PlatformRegistration) -> Registration:
    """The library's view of a platform registration, with Kyky's current signing key."""
    key = keys.signing_key()
    return (
        Registration()
        .set_issuer(platform.issuer)
        .set_client_id(platform.client_id)
        .set_key_set_url(platform.key_set_url)
        .set_auth_login_url(platform.auth_login_url)
        .set_auth_token_url(platform.auth_token_url)
        .set_auth_audience(platform.auth_audience or None)
        .set_tool_private_key(key.private_key)
        .set_tool_public_key(keys.public_pem(key))
    )


class KykyToolConf(ToolConfAbstract):
    """Registrations and deployments from ``PlatformRegistration``; only enabled ones launch."""

    def __init__(self):
        super().__init__()
        self.platform: PlatformRegistration | None = None

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False  # always look up by issuer and client id

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def _platform(self, iss: str, client_id: str | None) -> PlatformRegistration | None:
        if not iss:
            return None
        found = PlatformRegistration.objects.filter(issuer=iss, enabled=True).select_related("organisation")
        if client_id:
            found = found.filter(client_id=client_id)
        platforms = list(found[:2])
        return platforms[0] if len(platforms) == 1 else None

    def find_registration_by_issuer(self, iss, *args, **kwargs):
        return self.find_registration_by_params(iss, None)

    def find_registration_by_params(self, iss, client_id, *args, **kwargs):
        if not isinstance(client_id, str | None):
            return None
        platform = self._platform(iss, client_id)
        if platform is None:
            return None
        self.platform = platform
        return registration_for(platform)

    def find_deployment(self, iss, deployment_id):
        return self.find_deployment_by_params(iss, deployment_id, None)

    def find_deployment_by_params(self, iss, deployment_id, client_id, *args, **kwargs):
        platform = self._platform(iss, client_id)
        if platform is None or deployment_id not in platform.deployments:
            return None
        return Deployment().set_deployment_id(deployment_id)


class CacheStorage(DjangoCacheDataStorage):
    """``pylti1p3``'s cache storage, able to take a value out once."""

    def consume(self, key: str) -> bool:
        return bool(self._get_cache().delete(self._prepare_key(key)))


class SingleUseNonces(DjangoSessionService):
    def check_nonce(self, nonce: str) -> bool:
        storage = self.data_storage
        if not isinstance(storage, CacheStorage):  # pragma: no cover - we always set ours
            raise LtiException("Nonce storage is not single-use")
        return storage.consume(self._get_key("nonce", nonce))


class Launch(DjangoMessageLaunch):
    """A launch validated the library's way, plus the ``azp`` rule for several audiences."""

    def validate_registration(self):
        body = self._get_jwt_body()
        aud = body.get("aud")
        if isinstance(aud, list) and len(aud) > 1 and body.get("azp") != self.get_client_id():
            raise LtiException("Several audiences and no azp naming this tool")
        return super().validate_registration()


def oidc_login(request) -> tuple[DjangoOIDCLogin, KykyToolConf]:
    conf = KykyToolConf()
    login = DjangoOIDCLogin(request, conf, session_service=SingleUseNonces(request))
    # The storage is set here rather than passed, so that the nonce's lifetime can be set: a login round
    # that is not completed in ten minutes is dropped instead of filling the cache for the library's day.
    login.set_launch_data_storage(CacheStorage())
    login.set_launch_data_lifetime(LOGIN_ROUND_LIFETIME)
    return login, conf


def message_launch(request) -> tuple[Launch, KykyToolConf]:
    """The validated launch (``LtiException`` when any check fails) and the registration it matched."""
    conf = KykyToolConf()
    launch = Launch(
        request,
        conf,
        session_service=SingleUseNonces(request),
        launch_data_storage=CacheStorage(),
        requests_session=TimeoutSession(),
    )
    launch.set_launch_data_lifetime(LAUNCH_DATA_LIFETIME)
    launch.validate()
    return launch, conf
