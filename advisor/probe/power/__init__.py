"""Watts: whole-machine power while generating, from measurements, specs or sourced figures."""
