"""Item analysis of a year's exam after its window (#28.1): the statistics, the job that
folds every learner's first graded attempt, and its files."""
