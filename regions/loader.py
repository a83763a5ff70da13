import csv
from pathlib import Path

CSV_PATH = Path(__file__).parent / "data" / "wilayah_kepmendagri_2025.csv"


def region_rows():
    """(code, name, level, parent_code) for every row of the shipped CSV, parents before children."""
    with CSV_PATH.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code = row["kode"].strip()
            parts = code.split(".")
            yield code, row["nama"].strip(), len(parts), ".".join(parts[:-1]) or None


def region_load(region_model) -> None:
    """Insert every region (the migration passes its historical model, tests the real one)."""
    region_model.objects.bulk_create(
        [region_model(code=code, name=name, level=level, parent_id=parent)
         for code, name, level, parent in region_rows()],
        batch_size=5000,
        ignore_conflicts=True,
    )
