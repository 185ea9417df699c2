from django.urls import path

from . import views

app_name = "certificates"

urlpatterns = [
    path("verify/", views.verify_form, name="verify_form"),
    path("verify/credential/", views.credential_check, name="credential_check"),
    path("verify/<str:code>/", views.verify, name="verify"),
    path("certificates/<str:code>.pdf", views.download, name="download"),
    path("certificates/<str:code>.json", views.credential_download, name="credential_download"),
    path("certificates/<str:code>/wallet/", views.wallet_offer, name="wallet_offer"),
    path("credentials/exchange/<str:token>/", views.wallet_exchange, name="wallet_exchange"),
    path(".well-known/did.json", views.did_document, name="did_document"),
    path("credentials/status/revocation", views.status_list, name="status_list"),
]
