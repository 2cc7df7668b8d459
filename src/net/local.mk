# net layer: sources and unit tests.
