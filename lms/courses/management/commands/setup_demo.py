from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from lms import links
from lms.courses.permissions import trainers_group_ensure

DEMO_USERS = [
    # e-mail, password, name, role
    ("learner@example.com", "kyky-learner", "Liisa Oppija", "learner"),
    ("trainer@example.com", "kyky-trainer", "Teemu Kouluttaja", "trainer"),
    ("admin@example.com", "kyky-admin", "Aino Ylläpitäjä", "admin"),
]


class Command(BaseCommand):
    help = "Create the demo learner, trainer and admin (local use only; safe to re-run)."

    @transaction.atomic
    def handle(self, *args, **options):
        from allauth.account.models import EmailAddress

        User = get_user_model()
        trainers = trainers_group_ensure()
        rows = []
        for email, password, name, role in DEMO_USERS:
            user, created = User.objects.get_or_create(email=email, defaults={"certificate_name": name})
            if created:
                first, last = name.split(" ", 1)
                user.first_name, user.last_name = first, last
                user.set_password(password)
                user.is_staff = role in {"trainer", "admin"}
                user.is_superuser = role == "admin"
                user.save()
                if role == "trainer":
                    user.groups.add(trainers)
            EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
            rows.append((role, email, password))
        self._demo_cohort(User.objects.get(email="trainer@example.com"), User.objects.get(email="learner@example.com"))
        self.stdout.write(
            f"Demo logins ({links.absolute_url('/fi/accounts/login/')}, admin at {links.absolute_url('/admin/')}):"
        )
        for role, email, password in rows:
            self.stdout.write(f"  {role:<8} {email:<22} {password}")

    def _demo_cohort(self, teacher, learner):
        """A demo university with a cohort of the coordinator training, the trainer as its admin and teacher,
        the learner in it, and two contact sessions (``demo.demo_cohort``)."""
        from wagtail.models import Locale

        from lms.courses.demo import demo_cohort
        from lms.courses.models import TrainingPage
        from lms.organisations.enums import OrganisationKind, Role, StudyMode
        from lms.organisations.models import Cohort, Membership, Organisation

        training = TrainingPage.objects.filter(
            locale=Locale.get_default(), slug="tyokykykoordinaattorikoulutus"
        ).first()
        if training is None:  # content not imported yet
            return
        organisation, _created = Organisation.objects.get_or_create(
            name="Esimerkin ammattikorkeakoulu", defaults={"kind": OrganisationKind.UAS}
        )
        Membership.objects.get_or_create(organisation=organisation, user=teacher, defaults={"role": Role.ADMIN})
        cohort, _created = Cohort.objects.get_or_create(
            organisation=organisation,
            training=training,
            name="Työkykykoordinaattorit, syksy",
            defaults={"study_mode": StudyMode.DEGREE, "credits": 10},
        )
        demo_cohort(training=training, cohort=cohort, teacher=teacher, learner=learner)
