"""Reading this computer: one Host (the only window on the system), the CPU, RAM and disk, and
the run that assembles them into a Machine."""
