"""Dataset upload handling: validation and normalisation of uploaded archives."""
