from django.urls import path

from . import views

app_name = "schedule"

urlpatterns = [
    path("sessions/training/<int:training_id>/", views.training, name="training"),
    path("sessions/calendar/", views.calendar, name="calendar"),
    path("sessions/<int:session_id>/ics", views.session_ics, name="ics"),
    path("sessions/<int:session_id>/signup/", views.signup, name="signup"),
    path("sessions/<int:session_id>/checkin/", views.checkin, name="checkin"),
    path("sessions/<int:session_id>/replacement/", views.replacement, name="replacement"),
    path("sessions/cohort/<int:cohort_id>/", views.cohort, name="cohort"),
    path("sessions/cohort/<int:cohort_id>/new/", views.session_create, name="session_create"),
    path("sessions/<int:session_id>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<int:session_id>/cancel/", views.session_cancel, name="session_cancel"),
    path("sessions/<int:session_id>/attendance/", views.attendance, name="attendance"),
    path("sessions/replacements/<int:replacement_id>/", views.replacement_decide, name="replacement_decide"),
]
