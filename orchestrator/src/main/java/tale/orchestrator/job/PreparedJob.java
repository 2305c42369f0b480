package tale.orchestrator.job;

import java.nio.file.Path;
import java.util.Map;
import tale.core.search.SearchConfig;
import tale.core.search.SearchInputs;
import tale.messages.JobSpec;

/**
 * A validated job: its spec, the task rows split as {@code tale search} splits them, and the search configuration.
 *
 * @param modelDir the model's directory under the model root
 * @param run      the "run" section of the job's summary (what was searched)
 */
public record PreparedJob(JobSpec spec, Path modelDir, SearchInputs inputs, SearchInputs.Data data, SearchConfig config,
                          Map<String, Object> run) {
}
