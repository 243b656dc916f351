"""The torch-free contract the API, the worker and the engines share: job kinds and their
configurations, the job spec, progress events and results, the model catalog, the registry
class."""
