// Replaced by the op tests.
