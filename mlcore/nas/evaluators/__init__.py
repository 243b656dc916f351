"""Evaluators score an architecture: accuracy on tensors, a brief proxy training, a full
retraining."""
