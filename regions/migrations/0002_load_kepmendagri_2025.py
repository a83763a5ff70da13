from django.db import migrations


def load(apps, schema_editor):
    from regions.loader import region_load

    region_load(apps.get_model("regions", "Region"))


def unload(apps, schema_editor):
    apps.get_model("regions", "Region").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
