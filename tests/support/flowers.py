"""The few-shot flowers subset most mlcore tests train on."""

CLASSES = ["bluebell", "daisy", "sunflower"]
PER_SPLIT = {"train": 4, "val": 3}
