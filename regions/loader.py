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
