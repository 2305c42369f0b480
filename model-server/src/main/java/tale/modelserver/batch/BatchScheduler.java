package tale.modelserver.batch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;
import tale.core.model.ForwardState;
import tale.core.model.LayerMask;
import tale.core.model.Model;

/**
 * Runs one model's requests in batches on one thread. Requests wait in a bounded queue (a full queue
 * refuses new ones at once, so load never turns into memory); the thread takes what is waiting, up to
 * {@code maxBatchSize}, groups it by the mask each request was admitted under, and runs each group as one
 * batched forward. Jobs admitted under one mask run under it even if the profile was swapped since.
 */
public final class BatchScheduler implements AutoCloseable {

    /** Hears what the scheduler did, for metrics. */
    public interface Observer {
        void batchRan(String model, String kind, int sequences, int tokens, long nanos);

        Observer NONE = (model, kind, sequences, tokens, nanos) -> { };
    }

    private static final Logger LOG = Logger.getLogger(BatchScheduler.class);

    private final String name;
    private final Model model;
    private final int maxBatchSize;
    private final long windowNanos;
    private final int capacity;
    private final BlockingQueue<Job> queue;
    private final Observer observer;
    private final Thread worker;
    private volatile boolean closed;

    /**
     * @param batchWindow how long to wait for more requests when fewer than {@code maxBatchSize} are
     *     waiting: under load, clients whose answers came in one batch return a moment apart, and without
     *     the wait the next batch would start with only the first of them
     */
    public BatchScheduler(String name, Model model, int queueCapacity, int maxBatchSize, Duration batchWindow,
                          Observer observer) {
        this.name = name;
        this.model = model;
        this.capacity = queueCapacity;
        this.maxBatchSize = maxBatchSize;
        this.windowNanos = batchWindow.toNanos();
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.observer = observer;
        this.worker = new Thread(this::loop, "tale-batch-" + name);
        worker.setDaemon(true);
        worker.start();
    }

    /** Queues a job; throws {@link QueueFullException} when the queue is full. */
    public void submit(Job job) {
        if (closed) throw new SchedulerClosedException(name);
        if (!queue.offer(job)) throw new QueueFullException(name, capacity);
        if (closed && queue.remove(job)) throw new SchedulerClosedException(name); // raced with close()
    }

    public int queued() {
        return queue.size();
    }

    private void loop() {
        List<Job> batch = new ArrayList<>();
        while (!closed) {
            try {
                Job first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) continue;
                batch.add(first);
                queue.drainTo(batch, maxBatchSize - 1);
                long deadline = System.nanoTime() + windowNanos;
                while (batch.size() < maxBatchSize) {
                    Job next = queue.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                    if (next == null) break;
                    batch.add(next);
                    queue.drainTo(batch, maxBatchSize - batch.size());
                }
                run(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | Error e) {
                LOG.errorf(e, "model %s: batch failed", name);
                batch.forEach(j -> j.fail(e));
            } finally {
                batch.clear();
            }
        }
    }

    /** A group of jobs that can share one forward: same kind, same mask, same stop rule. */
    private record Group(Class<? extends Job> kind, LayerMask mask, boolean ignoreEos) { }

    private void run(List<Job> batch) {
        Map<Group, List<Job>> groups = new LinkedHashMap<>();
        for (Job job : batch) {
            boolean ignoreEos = job instanceof GenerationJob g && g.ignoreEos();
            groups.computeIfAbsent(new Group(job.getClass(), job.deployment().mask(), ignoreEos), k -> new ArrayList<>())
                    .add(job);
        }
        groups.forEach((group, jobs) -> {
            try {
                if (group.kind() == GenerationJob.class) generate(group, jobs);
                else score(group, jobs);
            } catch (RuntimeException | Error e) {
                LOG.errorf(e, "model %s: %s batch of %d failed", name, group.kind().getSimpleName(), jobs.size());
                jobs.forEach(j -> j.fail(e));
            }
        });
    }

    private void generate(Group group, List<Job> jobs) {
        List<GenerationJob> gen = new ArrayList<>();
        List<int[]> prompts = new ArrayList<>();
        int maxTokens = 0;
        for (Job j : jobs) {
            GenerationJob g = (GenerationJob) j;
            gen.add(g);
            prompts.add(g.prompt());
            maxTokens = Math.max(maxTokens, g.maxTokens());
            g.started();
        }
        Set<Integer> stops = group.ignoreEos() ? Set.of() : model.stopTokens();
        long start = System.nanoTime();
        model.generate(prompts, group.mask(), maxTokens, stops, new ForwardState.TokenListener() {
            @Override
            public void onToken(int sequence, int token) {
                gen.get(sequence).accept(token);
            }

            @Override
            public void onStop(int sequence) {
                gen.get(sequence).finish(FinishReason.STOP);
            }
        });
        int tokens = 0;
        for (GenerationJob g : gen) {
            tokens += g.produced();
            g.finish(FinishReason.LENGTH); // no-op for jobs already finished
        }
        observer.batchRan(name, "generate", gen.size(), tokens, System.nanoTime() - start);
    }

    private void score(Group group, List<Job> jobs) {
        // One sequence per (job, choice), run maxBatchSize sequences at a time.
        List<ScoreJob> owners = new ArrayList<>();
        List<int[]> sequences = new ArrayList<>(), positions = new ArrayList<>(), targets = new ArrayList<>();
        for (Job j : jobs) {
            ScoreJob s = (ScoreJob) j;
            int p = s.prompt().length;
            for (int[] choice : s.choices()) {
                int[] seq = new int[p + choice.length];
                System.arraycopy(s.prompt(), 0, seq, 0, p);
                System.arraycopy(choice, 0, seq, p, choice.length);
                int[] at = new int[choice.length];
                for (int i = 0; i < at.length; i++) at[i] = p - 1 + i; // logits at t predict token t + 1
                owners.add(s);
                sequences.add(seq);
                positions.add(at);
                targets.add(choice);
            }
        }
        long start = System.nanoTime();
        List<float[]> logProbs = new ArrayList<>();
        int tokens = 0;
        for (int from = 0; from < sequences.size(); from += maxBatchSize) {
            int to = Math.min(sequences.size(), from + maxBatchSize);
            try (ForwardState state = model.start(sequences.subList(from, to))) {
                logProbs.addAll(state.runAll(group.mask()).logProbsAt(positions.subList(from, to), targets.subList(from, to)));
            }
            for (int[] s : sequences.subList(from, to)) tokens += s.length;
        }
        Map<ScoreJob, List<float[]>> byJob = new LinkedHashMap<>();
        for (int i = 0; i < owners.size(); i++) byJob.computeIfAbsent(owners.get(i), k -> new ArrayList<>()).add(logProbs.get(i));
        byJob.forEach(ScoreJob::complete);
        observer.batchRan(name, "score", sequences.size(), tokens, System.nanoTime() - start);
    }

    /** Stops taking jobs; waiting ones fail with {@link SchedulerClosedException}; a running batch finishes. */
    @Override
    public void close() {
        closed = true;
        try {
            worker.join(60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Job> left = new ArrayList<>();
        queue.drainTo(left);
        left.forEach(j -> j.fail(new SchedulerClosedException(name)));
    }
}
