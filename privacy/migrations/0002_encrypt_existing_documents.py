from django.db import migrations


def encrypt_plaintext(apps, schema_editor):
    """Documents stored before encryption at rest are encrypted in place (privacy.rotation)."""
    from privacy.rotation import private_documents_rotate

    private_documents_rotate(plaintext_only=True)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_document_access")]
    operations = [migrations.RunPython(encrypt_plaintext, migrations.RunPython.noop, elidable=True)]
