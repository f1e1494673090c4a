"""A data version for cached pages: every write to figures, targets or units bumps it, and
cached pages are keyed by it, so a change shows on the next load without hunting keys down.

With REDIS_URL set the version lives in Redis and is shared by every app process; otherwise
each process has its own (fine for one process: the development server or the tests).
"""

from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "parc:data-version"


def data_version():
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return version


def bump_data_version(**_signal_kwargs):
    """Invalidate every cached page at once (usable as a signal receiver).

    Bumped at once, and again when the transaction that wrote commits: a page another request
    computes in between reads the data as it was before the commit, and must not stay cached
    under the new version."""
    _bump()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_bump)


def _bump():
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # the key is not there yet (or was evicted)
        cache.add(VERSION_KEY, 2, timeout=None)
