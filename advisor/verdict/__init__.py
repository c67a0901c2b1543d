"""The verdict stage: workloads, what each path costs per month, and local / hybrid / cloud."""
