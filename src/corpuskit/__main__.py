"""``python -m corpuskit`` runs the ``corpuskit`` command."""

import sys

from corpuskit.cli import main

sys.exit(main())
