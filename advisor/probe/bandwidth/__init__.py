"""System RAM bandwidth: the copy test and how its figure gets into a Machine."""
