"""What Kyky reads from a validated launch's claims (the id_token body)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from .enums import PrincipalSource

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
DEEP_LINKING = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"

# Context roles (and their short forms) that make someone a teacher of the course in the platform.
TEACHING_ROLES = {"Instructor", "TeachingAssistant", "ContentDeveloper", "Administrator", "Mentor"}
LEARNER_ROLE = "Learner"


def role_names(roles) -> set[str]:
    """``…/lis/v2/membership#Instructor`` -> ``Instructor``; institution roles are left out."""
    names = set()
    for role in roles if isinstance(roles, list) else []:
        if not isinstance(role, str) or "/institution/" in role:
            continue
        names.add(role.rsplit("#", 1)[-1].rsplit("/", 1)[-1])
    return names


def _text(value, limit: int = 500) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


@dataclass
class Claims:
    issuer: str
    subject: str
    message_type: str
    email: str = ""
    name: str = ""
    roles: set[str] = field(default_factory=set)
    context_id: str = ""
    context_title: str = ""
    resource_link_id: str = ""
    custom: dict = field(default_factory=dict)
    language: str = ""
    lis_person: str = ""
    moodle_username: str = ""
    lineitem_url: str = ""
    ags_scopes: list = field(default_factory=list)
    memberships_url: str = ""
    document_target: str = ""

    @property
    def framed(self) -> bool:
        """Moodle's *Embed* container: Kyky inside the course page's frame, where its cookies are not sent."""
        return self.document_target in {"iframe", "frame", "embed"}

    @property
    def teaches(self) -> bool:
        return bool(self.roles & TEACHING_ROLES)

    @property
    def is_deep_linking(self) -> bool:
        return self.message_type == "LtiDeepLinkingRequest"

    def principal(self, source: str) -> str:
        """The eduPersonPrincipalName where the registration says the platform sends it."""
        value = {
            PrincipalSource.CUSTOM: _text(self.custom.get("eppn"), 254),
            PrincipalSource.LIS: self.lis_person,
            PrincipalSource.MOODLE_USERNAME: self.moodle_username,
        }.get(source, "")
        return value.lower()

    def training_key(self) -> uuid.UUID | None:
        try:
            return uuid.UUID(str(self.custom.get("kyky_training", "")))
        except ValueError:
            return None

    def cohort_id(self) -> int | None:
        value = str(self.custom.get("kyky_cohort", ""))
        return int(value) if value.isdigit() and len(value) < 12 else None


def claims_from(body: dict) -> Claims:
    context, ags = _dict(body.get(LTI + "context")), _dict(body.get(AGS))
    name = _text(body.get("name"), 200) or " ".join(
        part for part in (_text(body.get("given_name"), 100), _text(body.get("family_name"), 100)) if part
    )
    presentation = _dict(body.get(LTI + "launch_presentation"))
    locale = _text(presentation.get("locale"), 20).lower()
    return Claims(
        issuer=_text(body.get("iss")),
        subject=_text(body.get("sub")),
        message_type=_text(body.get(LTI + "message_type"), 100),
        email=_text(body.get("email"), 254).lower(),
        name=name,
        roles=role_names(body.get(LTI + "roles")),
        context_id=_text(context.get("id"), 255),
        context_title=_text(context.get("title"), 255),
        resource_link_id=_text(_dict(body.get(LTI + "resource_link")).get("id"), 255),
        custom={k: v for k, v in _dict(body.get(LTI + "custom")).items() if isinstance(v, str)},
        language=locale[:2],
        lis_person=_text(_dict(body.get(LTI + "lis")).get("person_sourcedid"), 254),
        moodle_username=_text(_dict(body.get(LTI + "ext")).get("user_username"), 254),
        lineitem_url=_text(ags.get("lineitem"), 1000),
        ags_scopes=[s for s in scopes if isinstance(s, str)] if isinstance(scopes := ags.get("scope"), list) else [],
        memberships_url=_text(_dict(body.get(NRPS)).get("context_memberships_url"), 1000),
        document_target=_text(presentation.get("document_target"), 20),
    )
