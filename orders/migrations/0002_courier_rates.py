from django.db import migrations


def load(apps, schema_editor):
    from orders.shipping import courier_rates_load

    courier_rates_load(apps.get_model("orders", "CourierRate"))


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
