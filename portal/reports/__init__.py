"""Reports: read-only figures on tickets and the knowledge base (docs/reports.md).

``filters`` parses the one filter every report takes; ``access`` says who may read what;
``loading`` holds the queries; ``figures`` the pure arithmetic (medians, percentiles, rates);
``service`` and ``knowledge`` compute the reports; ``registry`` names them for callers.
"""
