"""Modal screens: help, profile switcher, throughput test and export."""
