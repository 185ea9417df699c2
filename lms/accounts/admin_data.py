"""What Wagtail's admin keeps about the people who work in it (trainers, administrators).

Learners have none of it. Erasing the user deletes what Wagtail ties to the account with
``CASCADE`` (profile, comments and replies, subscriptions, editing sessions, unsaved form states,
API tokens) and unlinks their authorship elsewhere (``SET_NULL``: pages, revisions, workflow steps,
images, documents, uploads), which is content of the organisation, not of the person. Files are
not deleted with rows, so the avatar is deleted here.
"""

from wagtail.admin.models import EditingSession, FormState
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import (
    APIToken,
    Comment,
    CommentReply,
    Page,
    PageSubscription,
    Revision,
    TaskState,
    UploadedFile,
    WorkflowState,
)
from wagtail.users.models import UserProfile

MODELS = [
    UserProfile,
    Page,
    Revision,
    Comment,
    CommentReply,
    PageSubscription,
    WorkflowState,
    TaskState,
    get_image_model(),
    get_document_model(),
    UploadedFile,
    APIToken,
    EditingSession,
    FormState,
]


def _at(moment) -> str | None:
    return moment.isoformat() if moment else None


def _profile(user) -> dict | None:
    profile = UserProfile.objects.filter(user=user).first()
    if profile is None:
        return None
    return {
        "preferred_language": profile.preferred_language,
        "time_zone": profile.current_time_zone,
        "avatar": profile.avatar.name or None,
        "theme": profile.theme,
        "contrast": profile.contrast,
        "density": profile.density,
        "notifications": {
            "submitted": profile.submitted_notifications,
            "approved": profile.approved_notifications,
            "rejected": profile.rejected_notifications,
            "comments": profile.updated_comments_notifications,
        },
    }


def personal_data(user) -> dict:
    """The admin work of ``user``: profile, authorship, comments, workflow steps, uploads, tokens."""
    return {
        "profile": _profile(user),
        "pages_owned": list(Page.objects.filter(owner=user).values("id", "title")),
        "pages_locked": list(Page.objects.filter(locked_by=user).values("id", "title")),
        "revisions": [
            {"object": r.object_str, "created_at": _at(r.created_at)}
            for r in Revision.objects.filter(user=user).only("object_str", "created_at")
        ],
        "comments": [
            {"page": c.page.title, "text": c.text, "created_at": _at(c.created_at)}
            for c in Comment.objects.filter(user=user).select_related("page")
        ],
        "comment_replies": [
            {"text": r.text, "created_at": _at(r.created_at)} for r in CommentReply.objects.filter(user=user)
        ],
        "comments_resolved": list(Comment.objects.filter(resolved_by=user).values_list("pk", flat=True)),
        "page_subscriptions": list(PageSubscription.objects.filter(user=user).values_list("page__title", flat=True)),
        "workflows_requested": [
            {"object": w.object_id, "status": w.status, "created_at": _at(w.created_at)}
            for w in WorkflowState.objects.filter(requested_by=user)
        ],
        "tasks_finished": [
            {"status": t.status, "comment": t.comment, "finished_at": _at(t.finished_at)}
            for t in TaskState.objects.filter(finished_by=user)
        ],
        "images": list(get_image_model().objects.filter(uploaded_by_user=user).values_list("title", flat=True)),
        "documents": list(get_document_model().objects.filter(uploaded_by_user=user).values_list("title", flat=True)),
        "uploaded_files": [u.file.name for u in UploadedFile.objects.filter(uploaded_by_user=user)],
        "api_tokens": [
            {"name": t.name, "created": _at(t.created), "last_used_at": _at(t.last_used_at)}
            for t in APIToken.objects.filter(user=user)
        ],
        "editing_sessions": [
            {"object": s.object_id, "last_seen_at": _at(s.last_seen_at)}
            for s in EditingSession.objects.filter(user=user)
        ],
        "unsaved_forms": [
            {"object": f.object_id, "data": f.data, "last_updated_at": _at(f.last_updated_at)}
            for f in FormState.objects.filter(user=user)
        ],
    }


def erase(user) -> None:
    """Delete the avatar file; the rows go with the user (or lose the link to them)."""
    profile = UserProfile.objects.filter(user=user).first()
    if profile is not None and profile.avatar:
        profile.avatar.delete(save=False)
