"""The widgets of the main screen: machine panel, models table and detail, workload and verdict."""
