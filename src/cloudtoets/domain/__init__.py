"""Framework-free domain objects: the register, decisions and vocabularies."""
