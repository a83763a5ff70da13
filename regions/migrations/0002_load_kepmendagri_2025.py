from django.db import migrations


def load(apps, schema_editor):
    from regions.loader import region_rows

    Region = apps.get_model("regions", "Region")
    Region.objects.bulk_create(
        [Region(code=code, name=name, level=level, parent_id=parent) for code, name, level, parent in region_rows()],
        batch_size=5000,
        ignore_conflicts=True,
    )


def unload(apps, schema_editor):
    apps.get_model("regions", "Region").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
