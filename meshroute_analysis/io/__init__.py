"""Reading repositories: finding files, splitting YAML into documents, normalising resource forms."""
