"""The composition root's parts, one per capability (mixins of composition_root.Dependencies)."""
