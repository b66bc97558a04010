"""Interchange formats, one module per format, each a ``read_x``/``write_x`` pair."""
