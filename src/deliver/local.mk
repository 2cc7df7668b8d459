# deliver layer: sources and unit tests.
