"""Files shipped verbatim in every model package."""
