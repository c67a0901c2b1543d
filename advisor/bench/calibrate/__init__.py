"""What stored tests tell the estimator: its prediction for a tested file, and the calibration."""
