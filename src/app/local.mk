# app layer: sources and unit tests.
