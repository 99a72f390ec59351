"""`python -m msgflash_compliance`: the same command line as `msgflash-compliance`."""

import sys

from msgflash_compliance.cli import main

sys.exit(main())
