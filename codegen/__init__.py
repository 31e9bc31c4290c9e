"""Generator for the Gemini Interactions SDK: spec -> intermediate model -> two client packages."""
