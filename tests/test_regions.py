import pytest
from django import forms

from regions.forms import RegionField
from regions.models import Region
from regions.selectors import banten_kabkota, region_children, region_path

pytestmark = pytest.mark.django_db


def test_kemendagri_2025_codes_are_loaded():
    assert Region.objects.filter(level=Region.Level.PROVINSI).count() == 38
    assert Region.objects.filter(level=Region.Level.KABKOTA).count() == 514
    assert Region.objects.filter(level=Region.Level.DESA).count() == 83762


def test_banten_has_its_eight_kabupaten_kota():
    names = {region.code: region.name for region in banten_kabkota()}
    assert set(names) == {"36.01", "36.02", "36.03", "36.04", "36.71", "36.72", "36.73", "36.74"}
    assert names["36.74"] == "Kota Tangerang Selatan"


def test_region_path_walks_from_provinsi_to_desa():
    desa = region_children(parent_code=region_children(parent_code="36.74")[0].code)[0]
    assert [r.level for r in region_path(code=desa.code)] == [1, 2, 3, 4]
    assert region_path(code="99.99") == []


class AddressForm(forms.Form):
    region = RegionField()


def test_region_field_takes_the_deepest_choice():
    desa = Region.objects.filter(code__startswith="36.74.", level=4).first()
    parts = desa.code.split(".")
    data = {f"region_{i}": ".".join(parts[:i]) for i in range(1, 5)}
    form = AddressForm(data)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["region"] == desa


def test_region_field_refuses_an_incomplete_choice_in_indonesian():
    form = AddressForm({"region_1": "36", "region_2": "36.74"})
    assert not form.is_valid()
    assert "Lengkapi pilihan sampai Desa/Kelurahan" in str(form.errors["region"])


def test_region_field_refuses_an_unknown_code():
    form = AddressForm({"region_1": "36", "region_2": "36.74", "region_3": "36.74.01", "region_4": "36.74.01.9999"})
    assert not form.is_valid()
    assert "Wilayah tidak dikenal" in str(form.errors["region"])


def test_cascade_endpoint_redraws_the_levels_below_the_choice(client):
    response = client.get("/wilayah/pilih/", {"name": "region", "depth": 4, "region_1": "36", "region_2": "36.74"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="region_3"' in html and "Serpong" in html  # kecamatan of Tangerang Selatan
    assert 'value="36.74" selected' in html


def test_a_changed_level_drops_the_stale_choices_below_it(client):
    # The kab/kota changed to Lebak while the kecamatan and desa still name places in Tangerang Selatan.
    response = client.get("/wilayah/pilih/", {"name": "region", "depth": 4, "region_1": "36", "region_2": "36.02",
                                              "region_3": "36.74.01", "region_4": "36.74.01.1001"})
    html = response.content.decode()
    assert 'value="36.02" selected' in html and "36.74.01" not in html
    assert 'name="region_4" id="id_region_4" required disabled' in html


@pytest.mark.parametrize("params", [
    {"name": "<script>"}, {"name": "region", "depth": "x"}, {"name": "region", "depth": 9},
    {"name": "region", "region_1": "'; drop table"},
])
def test_cascade_endpoint_refuses_bad_parameters(client, params):
    assert client.get("/wilayah/pilih/", params).status_code == 400


def test_a_desas_label_from_its_parents_read_with_it_is_the_label_of_its_code(django_assert_num_queries):
    from regions.selectors import region_label, region_labels

    desa = (Region.objects.filter(level=Region.Level.DESA, code__startswith="36.74.")
            .select_related("parent__parent__parent").order_by("code").first())
    with django_assert_num_queries(0):
        label = region_label(desa)
    assert label == region_labels(codes=[desa.code])[desa.code]
    assert label.endswith(", Kota Tangerang Selatan, Banten") and label.count(", ") == 3
