"""The architecture recommender: the meta-dataset (tasks x portfolio scores), the CLIP-like
dual encoder trained on it, and ranking a new dataset's portfolio."""
