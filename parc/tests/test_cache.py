"""The data version that cached pages are keyed by (parc/lib/cache.py)."""

import pytest
from django.core.management import call_command
from django.db import transaction

from indicators.services import periods_open_year
from parc.lib.cache import bump_data_version, data_version

pytestmark = pytest.mark.django_db


def test_a_write_bumps_the_version_at_once_and_again_when_it_commits(django_capture_on_commit_callbacks):
    start = data_version()
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            periods_open_year(year=2030)  # a service that writes bumps the version
            during = data_version()
            assert during > start  # pages cached from here on are computed anew…
        assert data_version() == during  # …until the commit
    # …and what another request cached while the write was not yet visible is dropped too.
    assert data_version() > during


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_one_bump_is_enough():
    start = data_version()
    bump_data_version()
    assert data_version() == start + 1


def test_migrating_bumps_the_version(capsys):
    # Data migrations write through historical models and send no save signals.
    start = data_version()
    call_command("migrate", verbosity=0)
    assert data_version() > start
