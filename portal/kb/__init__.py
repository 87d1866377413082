"""The knowledge base: article files in git, their parsing, rendering and validation."""
