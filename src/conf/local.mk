# conf layer: sources and unit tests.
