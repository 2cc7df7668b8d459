# auth layer: sources and unit tests.
