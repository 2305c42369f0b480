package tale.worker.evaluation;

import tale.core.search.LocalEvaluator;
import tale.core.search.SearchInputs;

/**
 * What every unit of one job on one model shares: the split rows and the evaluator with the job's scorer, which
 * keeps each example range tokenized for later rounds.
 */
record PreparedJob(SearchInputs.Data data, LocalEvaluator evaluator) {

    /** The cache key: what decides the rows and prompts (the objective only decides which scorings are allowed). */
    record Key(SearchInputs inputs, tale.core.search.Objective objective) { }
}
