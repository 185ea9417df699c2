"""Pages for organisation staff: their cohorts, their learners' progress, list uploads."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lms.courses import services as courses_services
from lms.courses.structure import live_trainings

from . import exports, selectors, services, statistics
from .enums import InvitationStatus
from .forms import InvitationSignupForm

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_STALLED_DAYS = 3650  # "stalled for more than ten years" is everyone who ever stalled


@login_required
def cohort_list(request):
    cohorts = list(selectors.cohorts_for(request.user))
    counts = selectors.cohort_summaries(cohorts)
    index, language = live_trainings(), request.LANGUAGE_CODE
    rows = [(c, index.localised(c.training, language), counts.get(c.pk, 0)) for c in cohorts]
    return render(
        request,
        "organisations/cohort_list.html",
        {
            "cohorts": [row for row in rows if row[0].archived_at is None],
            "archived": [row for row in rows if row[0].archived_at is not None],
        },
    )


@login_required
def cohort_detail(request, cohort_id: int):
    cohort = selectors.cohort_for(request.user, cohort_id)
    status = request.GET.get("status", "")
    status = status if status in selectors.FILTERS else ""
    sort = request.GET.get("sort", "name")
    sort = sort if sort in selectors.SORTS else "name"
    try:
        days = max(1, min(int(request.GET.get("days", 14)), MAX_STALLED_DAYS))
    except ValueError:
        days = 14
    places = selectors.cohort_places(cohort, status=status, stalled_days=days, sort=sort)
    page = Paginator(places, 50).get_page(request.GET.get("p"))
    modules, rows = selectors.cohort_table(cohort, page.object_list, request.LANGUAGE_CODE)
    return render(
        request,
        "organisations/cohort_detail.html",
        {
            "cohort": cohort,
            "training": live_trainings().localised(cohort.training, request.LANGUAGE_CODE),
            "closed": cohort.closed_because(),
            "modules": modules,
            "rows": rows,
            "page": page,
            # What the form shows as chosen, and what every paging link carries.
            "status": status,
            "sort": sort,
            "days": days,
            "filters": urlencode({"status": status, "days": days, "sort": sort}),
            # Who joins the cohort is its organisation's admins' to manage; teachers follow it.
            "manages": (manages := selectors.cohorts_managed_by(request.user).filter(pk=cohort.pk).exists()),
            "invitations": selectors.invitations_for(cohort) if manages else [],
        },
    )


@login_required
@require_POST
def roster_upload(request, cohort_id: int):
    cohort = selectors.cohort_managed_by(request.user, cohort_id)
    upload = request.FILES.get("file")
    if upload is None or not upload.name.lower().endswith((".csv", ".xlsx", ".txt")):
        messages.error(request, _("Choose a CSV or Excel (.xlsx) file."))
        return redirect("organisations:cohort", cohort_id=cohort.pk)
    if upload.size > MAX_UPLOAD_BYTES:
        messages.error(request, _("The file is larger than 10 MB."))
        return redirect("organisations:cohort", cohort_id=cohort.pk)
    try:
        roster_import = services.roster_import_start(cohort=cohort, upload=upload, user=request.user)
    except services.CohortClosed as closed:
        messages.error(request, str(closed))
        return redirect("organisations:cohort", cohort_id=cohort.pk)
    return redirect("organisations:import", import_id=roster_import.pk)


@login_required
def roster_import(request, import_id: int):
    roster_import = selectors.import_for(request.user, import_id)
    done = roster_import.rows.count()
    if request.GET.get("format") == "json":
        return JsonResponse(
            {"status": roster_import.status, "total": roster_import.total, "done": done, "error": roster_import.error}
        )
    return render(
        request,
        "organisations/import.html",
        {"import": roster_import, "done": done, "rows": roster_import.rows.all()},
    )


@login_required
def cohort_export(request, cohort_id: int, fmt: str):
    if fmt not in {"csv", "xlsx"}:
        raise Http404
    cohort = selectors.cohort_for(request.user, cohort_id)
    header, rows = exports.export_rows(cohort)
    if fmt == "xlsx":
        data = exports.as_xlsx(header, rows)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        data, content_type = exports.as_csv(header, rows), "text/csv; charset=utf-8"
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="kyky-cohort-{cohort.pk}.{fmt}"'
    return response


def _sees_programme(user) -> bool:
    return "programme" in user.staff_areas  # superusers and TTL's staff


@login_required
def programme(request):
    """TTL's programme-wide figures; everyone else gets a 404."""
    if not _sees_programme(request.user):
        raise Http404
    rows = statistics.programme_figures(request.LANGUAGE_CODE)
    if request.GET.get("format") == "csv":
        header = [
            _("Training"),
            _("Organisation"),
            _("Month"),
            _("Enrolled"),
            _("Completed"),
            _("Median days to complete"),
        ]
        data = exports.as_csv(
            header,
            [
                [
                    exports.safe(r["training"]),
                    exports.safe(r["organisation"]),
                    r["month"],
                    r["enrolled"],
                    r["completed"],
                    "" if r["median_days"] is None else r["median_days"],
                ]
                for r in rows
            ],
        )
        response = HttpResponse(data, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="kyky-programme.csv"'
        return response
    return render(request, "organisations/programme.html", {"rows": rows, "totals": statistics.per_training(rows)})


@login_required
@require_POST
def invitation_link(request, cohort_id: int):
    cohort = selectors.cohort_managed_by(request.user, cohort_id)
    try:
        days = int(request.POST.get("days", 30))
        seats = int(request.POST["seats"]) if request.POST.get("seats") else None
    except ValueError:
        messages.error(request, _("Give the days and seats as whole numbers."))
        return redirect("organisations:cohort", cohort_id=cohort.pk)
    try:
        services.invitation_link_create(cohort=cohort, days=days, seats=seats)
    except services.CohortClosed as closed:
        messages.error(request, str(closed))
        return redirect("organisations:cohort", cohort_id=cohort.pk)
    messages.success(request, _("A new invitation link was created; the old one no longer works."))
    return redirect("organisations:cohort", cohort_id=cohort.pk)


def invitation_answer(request, token: str):
    """The page an invitation e-mail links to: accept or decline, logged in or with a new account."""
    invitation = services.invitation_by_token(token)
    if invitation is None:
        return render(request, "organisations/invitation.html", {"invalid": True}, status=404)
    signup = None
    if not request.user.is_authenticated:
        signup = InvitationSignupForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and invitation.status == InvitationStatus.PENDING:
        try:
            answered = _answer(request, token, signup)
        except (services.InvitationError, courses_services.EnrolmentError) as error:
            messages.error(request, str(error))
        else:
            if answered is not None:
                return answered
    cohort = invitation.cohort
    return render(
        request,
        "organisations/invitation.html",
        {
            "invitation": invitation,
            "cohort": cohort,
            "training": services.localised_training(cohort.training, request.LANGUAGE_CODE),
            "signup": signup,
            "pending": invitation.status == InvitationStatus.PENDING,
        },
    )


def _answer(request, token: str, signup):
    """Answer for the logged-in person, or create the invitee's account first; None: show the form again."""
    if signup is None:
        if request.POST.get("answer") not in {"accept", "decline"}:
            return None
        user, accept = request.user, request.POST["answer"] == "accept"
    elif signup.is_valid():
        user = services.invitation_signup(
            token=token,
            name=signup.cleaned_data["certificate_name"],
            password=signup.cleaned_data["password1"],
            language=request.LANGUAGE_CODE,
        )
        login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
        accept = True
    else:
        return None
    invitation = services.invitation_answer(token=token, user=user, accept=accept)
    if not accept:
        messages.success(request, _("You declined the invitation. Nothing was shared with the organisation."))
        return redirect("/")
    messages.success(request, _("You joined %(cohort)s.") % {"cohort": invitation.cohort.name})
    return redirect("courses:dashboard")


@login_required
def join(request, code: str):
    if request.method == "POST":
        try:
            cohort = services.cohort_join(code=code, user=request.user)
        except services.JoinError as error:
            messages.error(request, str(error))
            return redirect("courses:dashboard")
        except courses_services.EnrolmentError as error:
            messages.error(request, str(error))
            return redirect("courses:dashboard")
        messages.success(request, _("You joined %(cohort)s.") % {"cohort": cohort.name})
        return redirect("courses:dashboard")
    return render(request, "organisations/join.html", {"code": code})


@login_required
@require_POST
def cohort_archive(request, cohort_id: int):
    """Archive the cohort (its results stay for the registrar) or bring it back: its admins only."""
    cohort = selectors.cohort_managed_by(request.user, cohort_id)
    archive = request.POST.get("archive") == "1"
    services.cohort_archive(cohort=cohort, user=request.user, archived=archive)
    if archive:
        messages.success(request, _("The group was archived. Its results stay available for export."))
    else:
        messages.success(request, _("The group was restored from the archive."))
    return redirect("organisations:cohort", cohort_id=cohort.pk)
