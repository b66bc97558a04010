"""corpuskit's test suite (a package, so `tests` here wins over any `tests` a dependency installs)."""
