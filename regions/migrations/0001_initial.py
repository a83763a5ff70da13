import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Region",
            fields=[
                ("code", models.CharField(max_length=13, primary_key=True, serialize=False)),
                ("name", models.CharField(max_length=100)),
                ("level", models.PositiveSmallIntegerField(
                    choices=[(1, "Provinsi"), (2, "Kabupaten/Kota"), (3, "Kecamatan"), (4, "Desa/Kelurahan")])),
                ("parent", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                             related_name="children", to="regions.region")),
            ],
            options={
                "ordering": ["code"],
                "indexes": [models.Index(fields=["parent", "name"], name="regions_reg_parent__49a043_idx")],
            },
        ),
    ]
