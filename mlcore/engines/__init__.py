"""The one engine skeleton (`base.Engine`), the engine registry and what every engine shares:
progress, outputs, device."""
