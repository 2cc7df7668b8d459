# smtp layer: sources and unit tests.
