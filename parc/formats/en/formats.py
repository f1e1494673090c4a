# The English interface keeps Vietnamese numbers and dates on purpose: figures are
# compared with Vietnamese documents and spreadsheets, and "99.12" next to "99,12"
# on the same screen would invite misreading (decision recorded in README.md).
from parc.formats.vi.formats import *  # noqa: F401,F403
