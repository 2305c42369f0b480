package tale.messages;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * What a TALE search job runs: the body of {@code POST /jobs}, carried inside {@link JobEvent}s and
 * {@link WorkUnit}s so that every worker builds exactly the prompts {@code tale search} builds from the same
 * values (core {@code tale.core.search.SearchInputs} and {@code SearchConfig}). Optional fields are null when
 * absent; defaults are those of {@code tale search}.
 *
 * @param model          model name, a directory under the workers' model root
 * @param task           task name ({@code tale eval --help} lists them)
 * @param dataset        id (SHA-256 hex of the content) of a dataset uploaded with {@code POST /datasets}; or null
 * @param data           a task file path under the configured data root, when no dataset id is given; or null
 * @param splitSeed      seed of the split and of the demonstration draw (default 0)
 * @param fractions      search,select,test fractions (default {@code 0.5,0.25,0.25}); or null
 * @param splitRows      the paper's fixed split {@code N,M} instead of a seeded one; or null
 * @param shots          few-shot demonstrations (default 0)
 * @param scoring        {@code generate} (default), {@code loglik} or {@code margin}
 * @param limit          at most this many rows per split; or null
 * @param maxNewTokens   decoding budget in generate mode; or null (the task's)
 * @param epsilon        allowed accuracy drop below the baseline (default 0.08)
 * @param maxRemoved     stop after this many removals; or null (no limit)
 * @param objective      {@code accuracy} (default) or {@code margin}
 * @param initialRemoved layers removed before the first round; or null (none)
 * @param selectOn       {@code search} (default) or {@code select}
 * @param racing         race candidates on growing shards (default false)
 * @param raceShard      examples in racing's first shard (default 64)
 * @param raceConfidence racing's confidence (default 0.95)
 * @param deploy         {@code best}, {@code bsba} or {@code final}: publish that configuration as a
 *                       {@link SelectionEvent} when the job succeeds; or null (publish nothing)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record JobSpec(String model, String task, String dataset, String data, Long splitSeed, String fractions,
                      String splitRows, Integer shots, String scoring, Integer limit, Integer maxNewTokens,
                      Double epsilon, Integer maxRemoved, String objective, List<Integer> initialRemoved,
                      String selectOn, Boolean racing, Integer raceShard, Double raceConfidence, String deploy) {

    public JobSpec {
        initialRemoved = initialRemoved == null ? null : List.copyOf(initialRemoved);
    }
}
