"""Background entry points: RQ task functions, the worker start-up and scheduler registrations."""
