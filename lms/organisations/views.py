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

from . import exports, forms, selectors, services, statistics
from .enums import InvitationStatus, MemberOutcome, Role
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
    part_filters = selectors.part_filters(cohort, request.LANGUAGE_CODE)
    status = request.GET.get("status", "")
    status = status if status in selectors.FILTERS or status in dict(part_filters) else ""
    sort = request.GET.get("sort", "name")
    sort = sort if sort in selectors.SORTS else "name"
    try:
        days = max(1, min(int(request.GET.get("days", 14)), MAX_STALLED_DAYS))
    except ValueError:
        days = 14
    places = selectors.cohort_places(cohort, status=status, stalled_days=days, sort=sort)
    page = Paginator(places, 50).get_page(request.GET.get("p"))
    columns, rows = selectors.cohort_table(cohort, page.object_list, request.LANGUAGE_CODE)
    return render(
        request,
        "organisations/cohort_detail.html",
        {
            "cohort": cohort,
            "training": live_trainings().localised(cohort.training, request.LANGUAGE_CODE),
            "closed": cohort.closed_because(),
            "columns": columns,
            "rows": rows,
            "page": page,
            # What the form shows as chosen, and what every paging link carries.
            "status": status,
            "part_filters": part_filters,
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
        roster_import = services.roster_import_start(
            cohort=cohort, upload=upload, user=request.user, language=request.LANGUAGE_CODE
        )
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
    header, rows = exports.export_rows(cohort, request.LANGUAGE_CODE)
    if fmt == "xlsx":
        data = exports.as_xlsx(header, rows)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        data, content_type = exports.as_csv(header, rows), "text/csv; charset=utf-8"
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="kyky-cohort-{cohort.pk}.{fmt}"'
    return response


@login_required
def programme(request):
    """TTL's programme-wide figures; everyone else gets a 404."""
    if not selectors.sees_programme(request.user):
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


# --- setting up an organisation: programme staff create it, its admins run its staff and cohorts -------


@login_required
def organisation_list(request):
    """The organisations one sets up (programme staff: all) or administers."""
    if "organisations" not in request.user.staff_areas:
        raise Http404
    language = request.LANGUAGE_CODE
    organisations = selectors.organisations_managed_by(request.user).order_by("name")
    return render(
        request,
        "organisations/organisation_list.html",
        {
            "organisations": [(o, o.localised_name(language)) for o in organisations],
            "creates": selectors.sees_programme(request.user),
        },
    )


@login_required
def organisation_create(request):
    """A new organisation and its first admin: programme staff only."""
    if not selectors.sees_programme(request.user):
        raise Http404
    form = forms.OrganisationCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organisation, outcome = services.organisation_create(
            by=request.user,
            admin_email=data["admin_email"],
            language=request.LANGUAGE_CODE,
            **{name: data[name] for name in forms.OrganisationForm.Meta.fields},
        )
        messages.success(request, _("The organisation was created."))
        messages.success(request, _member_message(outcome, data["admin_email"], Role.ADMIN, direct=True))
        return redirect("organisations:organisation", organisation_id=organisation.pk)
    return render(request, "organisations/organisation_form.html", {"form": form, "organisation": None})


@login_required
def organisation_edit(request, organisation_id: int):
    """Names and identifiers of an organisation: programme staff only."""
    if not selectors.sees_programme(request.user):
        raise Http404
    organisation = selectors.organisation_managed_by(request.user, organisation_id)
    form = forms.OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        services.organisation_update(organisation=form.instance, by=request.user, changed=form.changed_data)
        messages.success(request, _("The organisation was saved."))
        return redirect("organisations:organisation", organisation_id=organisation.pk)
    return render(request, "organisations/organisation_form.html", {"form": form, "organisation": organisation})


@login_required
def organisation_detail(request, organisation_id: int):
    """Its staff, open staff invitations and cohorts: its admins and programme staff."""
    organisation = selectors.organisation_managed_by(request.user, organisation_id)
    index, language = live_trainings(), request.LANGUAGE_CODE
    cohorts = organisation.cohorts.select_related("training")
    return render(
        request,
        "organisations/organisation_detail.html",
        {
            "organisation": organisation,
            "name": organisation.localised_name(language),
            "staff": selectors.staff_of(organisation),
            "invitations": selectors.open_staff_invitations(organisation),
            "cohorts": [(c, index.localised(c.training, language)) for c in cohorts],
            "member_form": forms.MemberForm(),
            "programme": selectors.sees_programme(request.user),
            "administers": selectors.administers(request.user, organisation),
        },
    )


def _member_message(outcome: MemberOutcome, email: str, role: str, *, direct: bool) -> str:
    """What adding a person did, in words that tell an organisation admin nothing about accounts."""
    values = {"email": email, "role": Role(role).label}
    if outcome == MemberOutcome.ADDED:
        return _("%(email)s is now in the staff as %(role)s.") % values
    if outcome == MemberOutcome.ROLE_CHANGED:
        return _("%(email)s is now %(role)s.") % values
    if outcome == MemberOutcome.ALREADY_MEMBER:
        return _("%(email)s is in the staff as %(role)s already.") % values
    if outcome == MemberOutcome.ALREADY_INVITED:
        return _("An invitation to %(email)s is waiting for an answer already.") % values
    if direct:  # programme staff may know that the address has no account
        return _("No account has the address %(email)s: an invitation to join as %(role)s was sent.") % values
    return _("An invitation to join the staff as %(role)s was sent to %(email)s.") % values


@login_required
@require_POST
def member_add(request, organisation_id: int):
    """Add a teacher or an admin by e-mail: the organisation's admins and programme staff."""
    organisation = selectors.organisation_managed_by(request.user, organisation_id)
    form = forms.MemberForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give an e-mail address and a role."))
        return redirect("organisations:organisation", organisation_id=organisation.pk)
    email, role, direct = form.cleaned_data["email"], form.cleaned_data["role"], selectors.sees_programme(request.user)
    try:
        outcome = services.member_add(
            organisation=organisation,
            email=email,
            role=role,
            by=request.user,
            direct=direct,
            language=request.LANGUAGE_CODE,
        )
    except services.StaffError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _member_message(outcome, email.lower(), role, direct=direct))
    return redirect("organisations:organisation", organisation_id=organisation.pk)


@login_required
@require_POST
def member_remove(request, membership_id: int):
    """Remove a member (never the last admin): the organisation's admins and programme staff."""
    membership = selectors.membership_managed_by(request.user, membership_id)
    try:
        services.member_remove(membership=membership, by=request.user)
    except services.StaffError as error:
        messages.error(request, str(error))
        return redirect("organisations:organisation", organisation_id=membership.organisation_id)
    messages.success(request, _("%(email)s was removed from the staff.") % {"email": membership.user.email})
    if membership.user_id == request.user.pk and not selectors.sees_programme(request.user):
        return redirect("organisations:cohorts")  # their own page is no longer theirs
    return redirect("organisations:organisation", organisation_id=membership.organisation_id)


def _cohort_form(request, *, organisation, cohort=None):
    form = forms.CohortForm(
        request.POST or None, instance=cohort, organisation=organisation, language=request.LANGUAGE_CODE
    )
    if request.method == "POST" and form.is_valid():
        cohort = form.save(commit=False)
        cohort.organisation = organisation  # from the URL, whatever the form carried
        try:
            services.cohort_save(cohort=cohort, teachers=form.cleaned_data["teachers"], by=request.user)
        except services.StaffError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The group was saved."))
            return redirect("organisations:cohort", cohort_id=cohort.pk)
    return render(
        request,
        "organisations/cohort_form.html",
        {
            "form": form,
            "organisation": organisation,
            "name": organisation.localised_name(request.LANGUAGE_CODE),
            "cohort": cohort,
        },
    )


@login_required
def cohort_create(request, organisation_id: int):
    """A new cohort: the organisation's admins only."""
    return _cohort_form(request, organisation=selectors.organisation_administered_by(request.user, organisation_id))


@login_required
def cohort_edit(request, cohort_id: int):
    """A cohort's training, dates, study mode, credits, seats and teachers: the organisation's admins only."""
    cohort = selectors.cohort_managed_by(request.user, cohort_id)
    return _cohort_form(request, organisation=cohort.organisation, cohort=cohort)


def staff_invitation_answer(request, token: str):
    """The page a staff invitation e-mail links to: the invited address accepts, logged in or with a new account."""
    invitation = services.staff_invitation_by_token(token)
    if invitation is None:
        return render(request, "organisations/staff_invitation.html", {"invalid": True}, status=404)
    pending = invitation.status == InvitationStatus.PENDING
    signup = None
    if not request.user.is_authenticated:
        signup = InvitationSignupForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and pending:
        try:
            answered = _answer_staff(request, token, signup)
        except services.InvitationError as error:
            messages.error(request, str(error))
        else:
            if answered is not None:
                return answered
    return render(
        request,
        "organisations/staff_invitation.html",
        {
            "invitation": invitation,
            "name": invitation.organisation.localised_name(request.LANGUAGE_CODE),
            "role": Role(invitation.role).label,
            "signup": signup,
            "pending": pending,
        },
    )


def _answer_staff(request, token: str, signup):
    if signup is None:
        if request.POST.get("answer") not in {"accept", "decline"}:
            return None
        user, accept = request.user, request.POST["answer"] == "accept"
    elif signup.is_valid():
        user = services.staff_invitation_signup(
            token=token,
            name=signup.cleaned_data["certificate_name"],
            password=signup.cleaned_data["password1"],
            language=request.LANGUAGE_CODE,
        )
        login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
        accept = True
    else:
        return None
    invitation = services.staff_invitation_answer(token=token, user=user, accept=accept)
    if not accept:
        messages.success(request, _("You declined the invitation."))
        return redirect("/")
    messages.success(
        request,
        _("You are now in the staff of %(organisation)s.")
        % {"organisation": invitation.organisation.localised_name(request.LANGUAGE_CODE)},
    )
    return redirect("organisations:cohorts")
