"""What every part of the domain stands on: the clock, errors, who is asking and their
scope, audit entries, the content areas (topics), AWS clients and settings. Imports
nothing else of xuefa."""
