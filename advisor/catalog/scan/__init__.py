"""Models already on disk: where local tools keep GGUF files, finding them, matching the catalog.

locations: the tools' folders; layouts: reading a folder's layout; identify: which catalog
model a file is; installed: the scan itself (InstalledModel, ScanResult).
"""
