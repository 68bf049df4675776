// Module SRImage: see README.md.
