"""The question bank the city keeps (#27, #28): its XLSX template, import and export,
the admin's listing, and edits (each a new version) and retirements of its questions."""
