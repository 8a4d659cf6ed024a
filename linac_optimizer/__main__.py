"""`python -m linac_optimizer` is the `linac-schedule` command."""

import sys

from .cli import main

sys.exit(main())
