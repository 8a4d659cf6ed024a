"""`python -m linac_optimizer` is the `linac-schedule` command."""

import sys
import time

# `solve --time-limit` counts from here: a caller times the whole command, the imports
# (OR-Tools, the holiday calendars) included, not only the search
STARTED = time.perf_counter()

from .cli import main  # noqa: E402

sys.exit(main(started=STARTED))
