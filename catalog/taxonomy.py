"""The category tree every Plaza Banten install starts with: (name, icon, children)."""

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
