"""Full-text search over the articles: analysis, the Whoosh index, and queries."""
