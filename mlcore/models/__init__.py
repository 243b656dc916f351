"""The architecture registry and factory, architecture facts and metadata measured from built
models, and the catalog computed from them."""
