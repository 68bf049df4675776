// Module SRFormats: see README.md.
