"""Offline fitting of the speed constants: calibration rows, architecture lookups, the fits.

Run by scripts/fit_speed.py and scripts/fit_batched.py; never imported by advisor at run time.
"""
