"""The classifier engine and its plain PyTorch trainer: data path, augmentation, schedule,
checkpoints, evaluation, report."""
