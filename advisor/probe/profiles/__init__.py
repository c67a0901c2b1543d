"""Hardware profiles: the public format, loading one by name or path, and Machine <-> dict."""
