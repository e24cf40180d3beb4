"""Load the shipped reference data (provinces and prefectures, GB/T 4754-2017 sections and divisions)."""
from django.db import migrations

from portal import reference


def load_reference_data(apps, schema_editor) -> None:
    reference.load_regions(reference.read_csv(reference.REGIONS_CSV), region_model=apps.get_model("portal", "Region"))
    reference.load_sectors(reference.read_csv(reference.SECTORS_CSV), sector_model=apps.get_model("portal", "Sector"))


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]

    operations = [migrations.RunPython(load_reference_data, migrations.RunPython.noop, elidable=False)]
