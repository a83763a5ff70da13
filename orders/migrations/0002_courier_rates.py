from django.db import migrations

# (courier, service, price per kg by zone 1..4, etd days by zone)
RATES = [
    ("jne", "REG", (9000, 11000, 18000, 42000), ((1, 2), (1, 2), (2, 3), (3, 6))),
    ("jne", "YES", (16000, 19000, 30000, 70000), ((1, 1), (1, 1), (1, 1), (1, 2))),
    ("jnt", "EZ", (8500, 10500, 17000, 40000), ((1, 2), (1, 2), (2, 4), (3, 7))),
    ("sicepat", "REG", (8000, 10000, 16000, 39000), ((1, 2), (1, 3), (2, 4), (3, 7))),
    ("pos", "Kilat Khusus", (7500, 9500, 15000, 36000), ((2, 3), (2, 4), (3, 5), (4, 8))),
]


def load(apps, schema_editor):
    CourierRate = apps.get_model("orders", "CourierRate")
    CourierRate.objects.bulk_create([
        CourierRate(courier=courier, service=service, zone=zone, price_per_kg=prices[zone - 1],
                    etd_min_days=etds[zone - 1][0], etd_max_days=etds[zone - 1][1])
        for courier, service, prices, etds in RATES for zone in (1, 2, 3, 4)
    ], ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
