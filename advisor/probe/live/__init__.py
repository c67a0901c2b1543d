"""Reading this computer: one Host (the only window on the system), the CPU, RAM, and the run that assembles them."""
