package tale.orchestrator.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;
import tale.core.search.Measure;
import tale.core.search.ScoreRequest;
import tale.core.search.SearchReport;
import tale.core.search.SearchResult;
import tale.core.search.SearchState;
import tale.messages.JobEvent;
import tale.messages.JobSpec;
import tale.messages.SelectionEvent;
import tale.messages.UnitResult;
import tale.orchestrator.config.OrchestratorConfig;
import tale.orchestrator.messaging.Publisher;
import tale.orchestrator.persistence.JobStore;
import tale.orchestrator.persistence.StoredJob;
import tale.service.InvalidFieldsException;

/**
 * Runs search jobs with a distributed evaluator: each pending request of a job's {@link SearchState} is published
 * as a WorkUnit; each UnitResult is accepted into the state, which is saved after every accepted result. A
 * result for a unit that is not outstanding (a duplicate, a late answer to a re-issued unit, a finished job) is
 * ignored; a unit without a result after the unit timeout is published again, up to the attempt limit; a worker's
 * error result fails its job only. Several jobs run at once; each is touched only under its own lock.
 */
@ApplicationScoped
public class JobService {

    private static final Logger LOG = Logger.getLogger(JobService.class);
    /** Core's records (SearchState) as core's own tests round-trip them: a plain mapper. */
    private static final ObjectMapper STORAGE_JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Integer>> UNITS = new TypeReference<>() { };
    private static final TypeReference<Map<String, Object>> SUMMARY = new TypeReference<>() { };

    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    private final JobPreparer preparer;
    private final JobStore store;
    private final Publisher publisher;
    private final JobEventHub events;
    private final Duration unitTimeout;
    private final int maxAttempts;
    private final MeterRegistry metrics;
    private ScheduledExecutorService timer;

    public JobService(JobPreparer preparer, JobStore store, Publisher publisher, JobEventHub events,
                      OrchestratorConfig config, MeterRegistry metrics) {
        this.metrics = metrics;
        for (JobStatus status : JobStatus.values()) {
            metrics.gauge("tale.orchestrator.jobs", List.of(io.micrometer.core.instrument.Tag.of("state", status.wire())),
                    jobs, all -> all.values().stream().filter(j -> j.status == status).count());
        }
        this.preparer = preparer;
        this.store = store;
        this.publisher = publisher;
        this.events = events;
        this.unitTimeout = config.unitTimeout();
        this.maxAttempts = config.maxAttempts();
        if (maxAttempts < 1) throw new IllegalStateException("tale.orchestrator.max-attempts must be at least 1");
        if (config.unitExamples() < 1) throw new IllegalStateException("tale.orchestrator.unit-examples must be at least 1");
    }

    void onStart(@Observes StartupEvent start) {
        resumeAll();
        long period = Math.max(100, Math.min(5_000, unitTimeout.toMillis() / 4));
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tale-unit-timeouts");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::reissueLateUnits, period, period, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        if (timer != null) timer.shutdownNow();
    }

    /** Validates the spec (400 with every offending field), stores the job and publishes its first units. */
    public JobView submit(JobSpec spec) {
        PreparedJob prepared = preparer.prepare(spec);
        Job job = new Job("job-" + UUID.randomUUID(), spec, prepared.config().numLayers(), Instant.now());
        job.prepared = prepared;
        synchronized (job) {
            jobs.put(job.id, job);
            save(job);
            JobView queued = view(job);
            events.publish(event(job, JobEvent.Type.SUBMITTED));
            start(job);
            LOG.infof("job %s: %s on %s, %d layers, splits %d/%d/%d", job.id, spec.model(), spec.task(), job.numLayers,
                    prepared.config().searchSize(), prepared.config().selectSize(), prepared.config().testSize());
            return queued;
        }
    }

    public Optional<JobView> get(String id) {
        Job job = jobs.get(id);
        if (job == null) return Optional.empty();
        synchronized (job) {
            return Optional.of(view(job));
        }
    }

    public List<JobView> list() {
        return jobs.values().stream().sorted(Comparator.comparing((Job j) -> j.createdAt).thenComparing(j -> j.id))
                .map(j -> {
                    synchronized (j) {
                        return view(j);
                    }
                }).toList();
    }

    /** Cancels a queued or running job; a finished job stays as it is. Empty when there is no such job. */
    public Optional<JobView> cancel(String id) {
        Job job = jobs.get(id);
        if (job == null) return Optional.empty();
        synchronized (job) {
            if (!job.status.terminal()) {
                job.status = JobStatus.CANCELLED;
                job.outstanding.clear();
                save(job);
                events.publish(event(job, JobEvent.Type.CANCELLED));
                LOG.infof("job %s cancelled", job.id);
            }
            return Optional.of(view(job));
        }
    }

    /** The job's events: its latest, then each new one until it finishes. */
    public Optional<io.smallrye.mutiny.Multi<JobEvent>> events(String id) {
        Job job = jobs.get(id);
        if (job == null) return Optional.empty();
        JobEvent current;
        synchronized (job) {
            current = event(job, switch (job.status) {
                case SUCCEEDED -> JobEvent.Type.SUCCEEDED;
                case FAILED -> JobEvent.Type.FAILED;
                case CANCELLED -> JobEvent.Type.CANCELLED;
                default -> JobEvent.Type.PROGRESS;
            });
        }
        return Optional.of(events.stream(id, current));
    }

    /** A worker's answer to a unit (at least once, in any order). */
    public void onResult(UnitResult result) {
        Job job = jobs.get(result.jobId());
        if (job == null) {
            LOG.debugf("result for unit %s of unknown job %s ignored", result.unitId(), result.jobId());
            countResult("ignored");
            return;
        }
        synchronized (job) {
            if (job.status != JobStatus.RUNNING || !job.outstanding.containsKey(result.unitId())) {
                LOG.debugf("job %s: result for unit %s (attempt %d, worker %s) ignored: %s", job.id, result.unitId(),
                        result.attempt(), result.workerId(), job.status != JobStatus.RUNNING ? "job is " + job.status.wire()
                                : "not outstanding (a duplicate or an unknown unit)");
                countResult("ignored");
                return;
            }
            if (result.failed()) {
                countResult("error");
                fail(job, "unit " + result.unitId() + " failed on worker " + result.workerId() + ": " + result.error());
                return;
            }
            SearchState before = job.state;
            SearchState next;
            try {
                next = before.accept(SearchEvents.result(result));
            } catch (RuntimeException e) {
                countResult("malformed");
                fail(job, "unit " + result.unitId() + ": worker " + result.workerId() + " sent scores that do not match "
                        + "the unit: " + e.getMessage());
                return;
            }
            countResult("accepted");
            job.outstanding.remove(result.unitId());
            job.state = next;
            for (int i = before.rounds().size(); i < next.rounds().size(); i++) {
                events.publish(event(job, JobEvent.Type.ROUND, SearchEvents.round(next.rounds().get(i))));
            }
            if (next.finished()) {
                succeed(job);
                return;
            }
            if (next.received().isEmpty()) publishStep(job);
            save(job);
            events.publish(event(job, JobEvent.Type.PROGRESS));
        }
    }

    /** Publishes again each unit whose result is late; a unit out of attempts fails its job. */
    void reissueLateUnits() {
        Instant now = Instant.now();
        for (Job job : jobs.values()) {
            try {
                synchronized (job) {
                    if (job.status != JobStatus.RUNNING) continue;
                    boolean changed = false;
                    for (Map.Entry<String, Job.Outstanding> e : List.copyOf(job.outstanding.entrySet())) {
                        Job.Outstanding o = e.getValue();
                        if (o.publishedAt().plus(unitTimeout).isAfter(now)) continue;
                        if (o.attempt() >= maxAttempts) {
                            fail(job, "unit " + e.getKey() + " got no result in " + o.attempt() + " attempts of "
                                    + unitTimeout.toString().substring(2).toLowerCase(Locale.ROOT) + " each (are workers running?)");
                            changed = false;
                            break;
                        }
                        LOG.infof("job %s: unit %s is late; publishing attempt %d", job.id, e.getKey(), o.attempt() + 1);
                        publish(job, request(job, e.getKey()), o.attempt() + 1);
                        changed = true;
                    }
                    if (changed) save(job);
                }
            } catch (RuntimeException e) {
                LOG.errorf(e, "job %s: checking late units failed", job.id);
            }
        }
    }

    /** Loads every stored job; unfinished ones continue: the state is restored and its pending units published again. */
    void resumeAll() {
        for (StoredJob stored : store.all()) {
            Job job;
            try {
                job = restore(stored);
            } catch (RuntimeException e) {
                LOG.errorf(e, "job %s cannot be read back from the database; skipped", stored.id());
                continue;
            }
            jobs.put(job.id, job);
            if (!job.status.terminal()) {
                synchronized (job) {
                    resume(job, stored);
                }
            }
        }
    }

    private Job restore(StoredJob stored) {
        try {
            Job job = new Job(stored.id(), STORAGE_JSON.readValue(stored.spec(), JobSpec.class), stored.numLayers(),
                    stored.createdAt());
            job.status = JobStatus.parse(stored.state());
            job.error = stored.error();
            if (stored.searchState() != null) job.state = STORAGE_JSON.readValue(stored.searchState(), SearchState.class);
            if (stored.summary() != null) job.summary = STORAGE_JSON.readValue(stored.summary(), SUMMARY);
            return job;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("job " + stored.id() + ": stored JSON is unreadable: " + e.getOriginalMessage(), e);
        }
    }

    private void resume(Job job, StoredJob stored) {
        try {
            job.prepared = preparer.prepare(job.spec);
        } catch (InvalidFieldsException e) {
            fail(job, "cannot resume after a restart: " + e.getMessage());
            return;
        }
        if (job.state == null) {
            start(job);
            return;
        }
        if (!job.prepared.config().equals(job.state.config())) {
            fail(job, "cannot resume after a restart: the job's inputs changed (search configuration "
                    + job.prepared.config() + " differs from the stored " + job.state.config() + ")");
            return;
        }
        Map<String, Integer> attempts;
        try {
            attempts = stored.units() == null ? Map.of() : STORAGE_JSON.readValue(stored.units(), UNITS);
        } catch (JsonProcessingException e) {
            attempts = Map.of();
        }
        job.status = JobStatus.RUNNING;
        job.startedNanos = System.nanoTime();
        for (ScoreRequest r : job.state.pendingRequests()) publish(job, r, attempts.getOrDefault(r.id(), 0) + 1);
        save(job);
        LOG.infof("job %s resumed in step %s with %d units outstanding", job.id, SearchEvents.step(job.state),
                job.outstanding.size());
        events.publish(event(job, JobEvent.Type.PROGRESS));
    }

    private void start(Job job) {
        job.state = SearchState.start(job.prepared.config());
        job.status = JobStatus.RUNNING;
        job.startedNanos = System.nanoTime();
        publishStep(job);
        save(job);
        events.publish(event(job, JobEvent.Type.PROGRESS));
    }

    /** Publishes every request of the state's new step as a unit's first attempt. */
    private void publishStep(Job job) {
        job.outstanding.clear();
        for (ScoreRequest r : job.state.pendingRequests()) publish(job, r, 1);
    }

    private void publish(Job job, ScoreRequest request, int attempt) {
        publisher.unit(SearchEvents.unit(job.id, job.spec, request, attempt));
        metrics.counter("tale.orchestrator.units.published", "attempt", attempt == 1 ? "first" : "retry").increment();
        job.outstanding.put(request.id(), new Job.Outstanding(attempt, Instant.now()));
    }

    /** Results by outcome: accepted, ignored (duplicate, late, unknown), error (from the worker), malformed. */
    private void countResult(String outcome) {
        metrics.counter("tale.orchestrator.results", "outcome", outcome).increment();
    }

    private static ScoreRequest request(Job job, String unitId) {
        return job.state.pendingRequests().stream().filter(r -> r.id().equals(unitId)).findFirst()
                .orElseThrow(() -> new IllegalStateException("unit " + unitId + " is outstanding but not pending"));
    }

    private void succeed(Job job) {
        SearchResult result = job.state.result();
        double seconds = (System.nanoTime() - job.startedNanos) / 1e9;
        // Workers count layer forwards, not the orchestrator: the summary reports none.
        job.summary = STORAGE_JSON.convertValue(SearchReport.summary(result, job.prepared.run(),
                new SearchReport.Cost(0, seconds)), SUMMARY);
        job.status = JobStatus.SUCCEEDED;
        job.outstanding.clear();
        save(job);
        events.publish(event(job, JobEvent.Type.SUCCEEDED));
        LOG.infof("job %s succeeded: best %s, bsba %s, final %s", job.id, result.best().removed(), result.bsba().removed(),
                result.last().removed());
        if (job.spec.deploy() != null) select(job, result);
    }

    private void select(Job job, SearchResult result) {
        String choice = job.spec.deploy().trim().toLowerCase(Locale.ROOT);
        SearchResult.Reported chosen = switch (choice) {
            case "best" -> result.best();
            case "bsba" -> result.bsba();
            default -> result.last();
        };
        Measure measured = chosen.test() != null ? chosen.test() : chosen.search();
        try {
            publisher.selection(SelectionEvent.of(job.id, job.spec.model(), job.numLayers, job.spec.task(),
                    SelectionEvent.Deployed.valueOf(choice.toUpperCase(Locale.ROOT)), chosen.removed(),
                    measured.accuracy(), Instant.now()));
        } catch (IllegalArgumentException e) {
            LOG.warnf("job %s: the %s configuration cannot be deployed: %s", job.id, choice, e.getMessage());
        }
    }

    private void fail(Job job, String reason) {
        job.status = JobStatus.FAILED;
        job.error = reason;
        job.outstanding.clear();
        save(job);
        events.publish(event(job, JobEvent.Type.FAILED));
        LOG.warnf("job %s failed: %s", job.id, reason);
    }

    private void save(Job job) {
        try {
            Map<String, Integer> attempts = new LinkedHashMap<>();
            job.outstanding.forEach((id, o) -> attempts.put(id, o.attempt()));
            store.save(new StoredJob(job.id, STORAGE_JSON.writeValueAsString(job.spec), job.status.wire(), job.numLayers,
                    job.state == null ? null : STORAGE_JSON.writeValueAsString(job.state),
                    STORAGE_JSON.writeValueAsString(attempts),
                    job.summary == null ? null : STORAGE_JSON.writeValueAsString(job.summary), job.error, job.createdAt,
                    Instant.now()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("job " + job.id + " cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    private JobEvent event(Job job, JobEvent.Type type) {
        return event(job, type, null);
    }

    /** The job's event of {@code type}; a round event carries the decided round and its number. */
    private JobEvent event(Job job, JobEvent.Type type, JobEvent.RoundResult decided) {
        SearchState s = job.state;
        long[] progress = s == null ? new long[] {0, 0} : SearchEvents.progress(s);
        Double floor = s == null || Double.isNaN(s.floor()) ? null : s.floor();
        return new JobEvent(JobEvent.SCHEMA_VERSION, job.id, type, Instant.now(),
                type == JobEvent.Type.SUBMITTED ? job.spec : null, job.status.wire(),
                decided != null ? decided.round() : s == null ? 0 : s.currentRound(),
                s == null ? null : SearchEvents.step(s), progress[0], progress[1], job.numLayers, floor, decided,
                type == JobEvent.Type.SUCCEEDED ? job.summary : null, type == JobEvent.Type.FAILED ? job.error : null);
    }

    private JobView view(Job job) {
        SearchState s = job.state;
        long[] progress = s == null ? new long[] {0, 0} : SearchEvents.progress(s);
        Double floor = s == null || Double.isNaN(s.floor()) ? null : s.floor();
        return new JobView(job.id, job.status.wire(), job.spec, job.createdAt, s == null ? 0 : s.currentRound(),
                s == null ? null : SearchEvents.step(s), progress[0], progress[1], job.numLayers, floor,
                s == null ? List.of() : SearchEvents.rounds(s), job.summary, job.error);
    }
}
