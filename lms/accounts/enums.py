from django.db import models


class Language(models.TextChoices):
    FI = "fi", "Suomi"
    SV = "sv", "Svenska"
    EN = "en", "English"
