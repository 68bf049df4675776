// Module SRModels: see README.md.
