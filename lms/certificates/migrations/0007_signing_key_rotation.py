"""Signing keys become a numbered list (key-1, key-2, ...) with a life; certificates say which key signed.

The one key there was is key-1 (it was row 1, and every credential says ``#key-1``); its public key
is computed from its seed. Each signed credential's key is read from its proof.
"""

import base64

from django.db import migrations, models

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _public_multibase(seed: str) -> str:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    raw = base64.urlsafe_b64decode(seed + "=" * (-len(seed) % 4))
    public = Ed25519PrivateKey.from_private_bytes(raw).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    data = b"\xed\x01" + public
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, remainder = divmod(number, 58)
        out = _ALPHABET[remainder] + out
    return "z" + "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def forwards(apps, schema_editor):
    IssuerKey = apps.get_model("certificates", "IssuerKey")
    Certificate = apps.get_model("certificates", "Certificate")
    for row in IssuerKey.objects.filter(number__isnull=True):  # the one row there was, made as pk=1
        row.number = row.pk
        row.public_key = _public_multibase(row.seed)
        row.save(update_fields=["number", "public_key"])
    for certificate in Certificate.objects.filter(credential__isnull=False).only("pk", "credential"):
        proof = certificate.credential.get("proof")
        proof = proof[0] if isinstance(proof, list) and proof else proof
        method = proof.get("verificationMethod", "") if isinstance(proof, dict) else ""
        Certificate.objects.filter(pk=certificate.pk).update(signed_with=method.rpartition("#")[2][:20])


class Migration(migrations.Migration):
    dependencies = [("certificates", "0006_parts")]

    operations = [
        migrations.AlterModelOptions(name="issuerkey", options={"ordering": ["number"]}),
        migrations.AddField(
            model_name="issuerkey",
            name="number",
            field=models.PositiveIntegerField(null=True, help_text="The n of key-n."),
        ),
        migrations.AddField(
            model_name="issuerkey",
            name="public_key",
            field=models.CharField(default="", max_length=64, help_text="The Ed25519 public key, multibase."),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="issuerkey",
            name="retired_at",
            field=models.DateTimeField(blank=True, null=True, help_text="From then on it signs nothing new."),
        ),
        migrations.AddField(
            model_name="issuerkey",
            name="revoked_at",
            field=models.DateTimeField(
                blank=True, null=True, help_text="It leaked: from then on nothing it signed verifies."
            ),
        ),
        migrations.AlterField(model_name="issuerkey", name="seed", field=models.CharField(blank=True, max_length=64)),
        migrations.AddField(
            model_name="certificate",
            name="signed_with",
            field=models.CharField(
                blank=True, editable=False, max_length=20, help_text="The key that signed the credential (key-<n>)."
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="issuerkey",
            name="number",
            field=models.PositiveIntegerField(unique=True, help_text="The n of key-n."),
        ),
    ]
