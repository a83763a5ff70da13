"""The category tree every Plaza Banten install starts with: (name, icon, children), and each name in English."""

from collections.abc import Iterator

from django.utils.text import slugify

TAXONOMY = [
    ("Fashion & Batik", "👘", [
        ("Batik", [("Kain Batik Tulis", []), ("Kain Batik Cap", []), ("Kemeja Batik", [])]),
        ("Pakaian Muslim", [("Gamis", []), ("Hijab & Kerudung", [])]),
        ("Aksesoris Fashion", [("Syal Eco-print", []), ("Tas Tenun", [])]),
    ]),
    ("Kerajinan Tangan", "🧺", [
        ("Anyaman", [("Tas Anyaman", []), ("Keranjang & Wadah", [])]),
        ("Gerabah & Keramik", [("Gerabah Hias", []), ("Peralatan Dapur Tanah Liat", [])]),
        ("Kerajinan Kayu & Bambu", [("Ukiran Kayu", []), ("Kerajinan Bambu", [])]),
    ]),
    ("Makanan & Minuman", "🍲", [
        ("Makanan Khas Banten", [("Emping Melinjo", []), ("Sate Bandeng", []), ("Dodol & Jajanan", [])]),
        ("Minuman", [("Kopi", []), ("Teh & Rempah", []), ("Madu", [])]),
        ("Bumbu & Sambal", [("Sambal Kemasan", []), ("Bumbu Instan", [])]),
    ]),
    ("Elektronik", "🔌", [
        ("Aksesoris Gawai", [("Casing & Pelindung", []), ("Kabel & Pengisi Daya", [])]),
        ("Peralatan Listrik Rumah", [("Lampu LED", []), ("Kipas Angin", [])]),
    ]),
    ("Kesehatan & Kecantikan", "🌿", [
        ("Perawatan Tubuh", [("Sabun Herbal", []), ("Minyak Urut & Balsem", [])]),
        ("Jamu & Herbal", [("Jamu Serbuk", []), ("Minuman Herbal", [])]),
    ]),
    ("Rumah Tangga", "🏠", [
        ("Dapur", [("Peralatan Masak", []), ("Wadah Makanan", [])]),
        ("Dekorasi Rumah", [("Hiasan Dinding", []), ("Taplak & Sarung Bantal", [])]),
    ]),
    ("Pertanian & Perikanan", "🌾", [
        ("Hasil Tani", [("Beras", []), ("Buah & Sayur Olahan", [])]),
        ("Hasil Laut Olahan", [("Ikan Asin", []), ("Kerupuk Ikan", [])]),
    ]),
    ("Perlengkapan Kantor", "📎", [
        ("Alat Tulis", [("Buku & Agenda", []), ("Map & Arsip", [])]),
        ("Seragam & Atribut", [("Seragam Kerja", []), ("Plakat & Cendera Mata", [])]),
    ]),
    ("Oleh-oleh & Suvenir", "🎁", [
        ("Suvenir Khas Banten", [("Miniatur & Gantungan Kunci", []), ("Golok & Replika", [])]),
        ("Paket Hampers", [("Hampers Makanan", []), ("Hampers Kerajinan", [])]),
    ]),
    ("Fashion Anak", "🧒", [
        ("Pakaian Anak", [("Baju Batik Anak", []), ("Piyama Anak", [])]),
    ]),
    ("Otomotif", "🛵", [
        ("Aksesoris Motor", [("Sarung Jok", []), ("Helm & Pelindung", [])]),
    ]),
]

# Category names are data, not gettext messages: Category.name_en holds these, shown in English (Category.label).
NAMES_EN = {
    "Fashion & Batik": "Fashion & Batik",
    "Batik": "Batik",
    "Kain Batik Tulis": "Hand-drawn Batik Cloth",
    "Kain Batik Cap": "Stamped Batik Cloth",
    "Kemeja Batik": "Batik Shirts",
    "Pakaian Muslim": "Muslim Wear",
    "Gamis": "Gamis Dresses",
    "Hijab & Kerudung": "Hijabs & Headscarves",
    "Aksesoris Fashion": "Fashion Accessories",
    "Syal Eco-print": "Eco-print Scarves",
    "Tas Tenun": "Woven Cloth Bags",
    "Kerajinan Tangan": "Handicrafts",
    "Anyaman": "Woven Crafts",
    "Tas Anyaman": "Woven Bags",
    "Keranjang & Wadah": "Baskets & Containers",
    "Gerabah & Keramik": "Pottery & Ceramics",
    "Gerabah Hias": "Decorative Pottery",
    "Peralatan Dapur Tanah Liat": "Clay Kitchenware",
    "Kerajinan Kayu & Bambu": "Wood & Bamboo Crafts",
    "Ukiran Kayu": "Wood Carvings",
    "Kerajinan Bambu": "Bamboo Crafts",
    "Makanan & Minuman": "Food & Drinks",
    "Makanan Khas Banten": "Banten Specialities",
    "Emping Melinjo": "Melinjo Crackers (Emping)",
    "Sate Bandeng": "Milkfish Satay (Sate Bandeng)",
    "Dodol & Jajanan": "Dodol & Snacks",
    "Minuman": "Drinks",
    "Kopi": "Coffee",
    "Teh & Rempah": "Tea & Spices",
    "Madu": "Honey",
    "Bumbu & Sambal": "Seasonings & Sambal",
    "Sambal Kemasan": "Packaged Sambal",
    "Bumbu Instan": "Instant Spice Mixes",
    "Elektronik": "Electronics",
    "Aksesoris Gawai": "Gadget Accessories",
    "Casing & Pelindung": "Cases & Screen Protectors",
    "Kabel & Pengisi Daya": "Cables & Chargers",
    "Peralatan Listrik Rumah": "Home Electricals",
    "Lampu LED": "LED Lights",
    "Kipas Angin": "Electric Fans",
    "Kesehatan & Kecantikan": "Health & Beauty",
    "Perawatan Tubuh": "Body Care",
    "Sabun Herbal": "Herbal Soap",
    "Minyak Urut & Balsem": "Massage Oils & Balms",
    "Jamu & Herbal": "Jamu & Herbal Remedies",
    "Jamu Serbuk": "Powdered Jamu",
    "Minuman Herbal": "Herbal Drinks",
    "Rumah Tangga": "Home & Living",
    "Dapur": "Kitchen",
    "Peralatan Masak": "Cookware",
    "Wadah Makanan": "Food Containers",
    "Dekorasi Rumah": "Home Decor",
    "Hiasan Dinding": "Wall Decor",
    "Taplak & Sarung Bantal": "Tablecloths & Pillowcases",
    "Pertanian & Perikanan": "Farm & Fishery Products",
    "Hasil Tani": "Farm Produce",
    "Beras": "Rice",
    "Buah & Sayur Olahan": "Processed Fruit & Vegetables",
    "Hasil Laut Olahan": "Processed Seafood",
    "Ikan Asin": "Salted Fish",
    "Kerupuk Ikan": "Fish Crackers",
    "Perlengkapan Kantor": "Office Supplies",
    "Alat Tulis": "Stationery",
    "Buku & Agenda": "Notebooks & Planners",
    "Map & Arsip": "Folders & Filing",
    "Seragam & Atribut": "Uniforms & Insignia",
    "Seragam Kerja": "Work Uniforms",
    "Plakat & Cendera Mata": "Plaques & Mementos",
    "Oleh-oleh & Suvenir": "Gifts & Souvenirs",
    "Suvenir Khas Banten": "Banten Souvenirs",
    "Miniatur & Gantungan Kunci": "Miniatures & Keychains",
    "Golok & Replika": "Golok Machetes & Replicas",
    "Paket Hampers": "Hampers",
    "Hampers Makanan": "Food Hampers",
    "Hampers Kerajinan": "Craft Hampers",
    "Fashion Anak": "Kids' Fashion",
    "Pakaian Anak": "Children's Clothing",
    "Baju Batik Anak": "Children's Batik",
    "Piyama Anak": "Children's Pyjamas",
    "Otomotif": "Automotive",
    "Aksesoris Motor": "Motorcycle Accessories",
    "Sarung Jok": "Seat Covers",
    "Helm & Pelindung": "Helmets & Protective Gear",
}


def taxonomy_rows() -> Iterator[tuple[str, str | None, str, str, int, int, str]]:
    """(slug, parent slug, name, English name, level, position, icon), parents before their children."""

    def walk(name, icon, children, parent_slug, level, position):
        slug = slugify(name) if parent_slug is None else f"{parent_slug}-{slugify(name)}"[:100]
        yield slug, parent_slug, name, NAMES_EN.get(name, ""), level, position, icon
        for index, (child_name, grandchildren) in enumerate(children):
            yield from walk(child_name, "", grandchildren, slug, level + 1, index)

    for index, (name, icon, children) in enumerate(TAXONOMY):
        yield from walk(name, icon, children, None, 1, index)
