# mail layer: sources and unit tests.
