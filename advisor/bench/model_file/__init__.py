"""The model file to test: where it comes from, its download, and its identity."""
