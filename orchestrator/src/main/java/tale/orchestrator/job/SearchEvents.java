package tale.orchestrator.job;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import tale.core.scoring.ExampleResult;
import tale.core.search.Measure;
import tale.core.search.ScoreRequest;
import tale.core.search.ScoreResult;
import tale.core.search.SearchState;
import tale.messages.ExampleScore;
import tale.messages.JobEvent;
import tale.messages.UnitResult;
import tale.messages.WorkUnit;
import tale.messages.JobSpec;

/** Conversions between core's search types and the messages: requests to units, results to core, rounds to events. */
final class SearchEvents {

    private SearchEvents() { }

    static WorkUnit unit(String jobId, JobSpec spec, ScoreRequest request, int attempt) {
        return WorkUnit.of(jobId, request.id(), attempt, spec, request.split().toString(), request.round(),
                request.removed(), request.candidates(), request.from(), request.to());
    }

    /** A worker's scores as core's per-example results (no margin is NaN, as core computes none). */
    static ScoreResult result(UnitResult r) {
        return new ScoreResult(r.unitId(), r.scores().entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                e -> e.getValue().stream().map(SearchEvents::example).toList())));
    }

    private static ExampleResult example(ExampleScore s) {
        return new ExampleResult(s.index(), s.prediction(), s.gold(), s.correct(),
                s.margin() == null ? Double.NaN : s.margin(), s.invalid(), null, null);
    }

    static JobEvent.RoundResult round(SearchState.Round r) {
        return new JobEvent.RoundResult(r.round(), r.removedBefore(), r.candidates().stream().map(c -> {
            Measure m = c.measure();
            return new JobEvent.CandidateScore(c.layer(), m.accuracy(), Double.isNaN(m.meanMargin()) ? null : m.meanMargin(),
                    m.examples(), c.dropped());
        }).toList(), r.winner(), r.accepted());
    }

    static String step(SearchState s) {
        return s.phase().name().toLowerCase(Locale.ROOT);
    }

    /** Examples x candidates the state's current step needs, and how many of them are scored. */
    static long[] progress(SearchState s) {
        Set<String> pending = s.pendingRequests().stream().map(ScoreRequest::id).collect(Collectors.toSet());
        long done = 0, total = 0;
        for (ScoreRequest r : s.pending()) {
            long work = (long) r.size() * r.candidates().size();
            total += work;
            if (!pending.contains(r.id())) done += work;
        }
        return new long[] {done, total};
    }

    static List<JobEvent.RoundResult> rounds(SearchState s) {
        return s.rounds().stream().map(SearchEvents::round).toList();
    }
}
