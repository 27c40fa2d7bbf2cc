"""Use cases of the register: one function per use case, one transaction with its audit record."""
