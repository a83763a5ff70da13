import shutil
from pathlib import Path

import pytest
from django.core.files.storage import storages


@pytest.fixture(autouse=True)
def private_storage_emptied():
    """The test session shares one private folder: empty it, so a walk over the storage sees this test's files."""
    location = Path(storages["private"].location)
    shutil.rmtree(location, ignore_errors=True)
    location.mkdir(parents=True)
