"""The Textual app (`advisor` with no command): the only package that imports textual."""
