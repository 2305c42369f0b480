package tale.modelserver.batch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tale.core.model.ForwardState;
import tale.core.model.LayerMask;
import tale.core.model.Model;
import tale.core.model.TinyCheckpoint;
import tale.modelserver.model.Deployment;

/** The scheduler on a real tiny model: batching changes no result, the queue is bounded, close is clean. */
class BatchSchedulerTest {

    @TempDir static Path dir;
    private static Model model;

    @BeforeAll
    static void load() throws Exception {
        TinyCheckpoint.write(TinyCheckpoint.Spec.defaults("qwen2").withLayers(5).withSeed(9), dir.resolve("m"));
        model = Model.load(dir.resolve("m"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** Collects a job's tokens and result; can hold the scheduler's thread on its first token. */
    private static final class Collector implements GenerationJob.Sink {
        final List<Integer> streamed = new CopyOnWriteArrayList<>();
        final CompletableFuture<GenerationJob.Result> result = new CompletableFuture<>();
        final CountDownLatch holding = new CountDownLatch(1);
        final CountDownLatch release;

        Collector(CountDownLatch release) {
            this.release = release;
        }

        @Override
        public void token(int token) {
            streamed.add(token);
            holding.countDown();
            try {
                if (release != null) release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void finished(GenerationJob.Result r) {
            result.complete(r);
        }

        @Override
        public void failed(Throwable error) {
            result.completeExceptionally(error);
        }
    }

    private static Deployment deployment(String removed) {
        return new Deployment("m", "p", 1, LayerMask.parse(model.numLayers(), removed));
    }

    private static int[] prompt(String text) {
        return model.tokenizer().encode(text);
    }

    @Test
    void batchedJobsEqualSoloGenerationWhateverTheirLengthOrMask() throws Exception {
        List<Integer> batchSizes = new CopyOnWriteArrayList<>();
        try (BatchScheduler scheduler = new BatchScheduler("m", model, 16, 8, Duration.ZERO,
                (name, kind, sequences, tokens, nanos) -> batchSizes.add(sequences))) {
            CountDownLatch release = new CountDownLatch(1);
            Collector gate = new Collector(release);
            scheduler.submit(new GenerationJob(prompt("gate"), 1, true, deployment(""), gate));
            assertTrue(gate.holding.await(30, TimeUnit.SECONDS));
            // The thread is held: these six wait together and run as two batches, one per mask.
            String[] prompts = {"a", "bb bb", "ccc ccc ccc", "dddd", "e", "ff ff ff ff ff"};
            String[] masks = {"1", "", "1", "", "1", "0,3"};
            int[] maxTokens = {3, 12, 7, 1, 12, 5};
            List<Collector> collectors = new ArrayList<>();
            for (int i = 0; i < prompts.length; i++) {
                Collector c = new Collector(null);
                collectors.add(c);
                scheduler.submit(new GenerationJob(prompt(prompts[i]), maxTokens[i], false, deployment(masks[i]), c));
            }
            release.countDown();
            for (int i = 0; i < prompts.length; i++) {
                GenerationJob.Result r = collectors.get(i).result.get(60, TimeUnit.SECONDS);
                LayerMask mask = LayerMask.parse(model.numLayers(), masks[i]);
                ForwardState.Generation solo = model.generate(List.of(prompt(prompts[i])), mask, maxTokens[i],
                        model.stopTokens()).get(0);
                assertArrayEquals(solo.tokens(), r.tokens(), "job " + i);
                assertEquals(solo.stopped() ? FinishReason.STOP : FinishReason.LENGTH, r.reason(), "job " + i);
                assertEquals(mask, r.deployment().mask());
                assertEquals(solo.tokens().length, collectors.get(i).streamed.size(), "every token streamed once");
            }
            assertTrue(batchSizes.contains(3), "the mask-1 jobs ran as one batch: " + batchSizes);
            assertTrue(batchSizes.contains(2), "the full-mask jobs ran as one batch: " + batchSizes);
        }
    }

    @Test
    void theBatchWindowGathersRequestsThatArriveAMomentApart() throws Exception {
        List<Integer> batchSizes = new CopyOnWriteArrayList<>();
        try (BatchScheduler scheduler = new BatchScheduler("m", model, 8, 4, Duration.ofSeconds(2),
                (name, kind, sequences, tokens, nanos) -> batchSizes.add(sequences))) {
            Collector first = new Collector(null), second = new Collector(null);
            scheduler.submit(new GenerationJob(prompt("first"), 2, false, deployment(""), first));
            Thread.sleep(200);
            scheduler.submit(new GenerationJob(prompt("second"), 2, false, deployment(""), second));
            first.result.get(30, TimeUnit.SECONDS);
            second.result.get(30, TimeUnit.SECONDS);
            assertEquals(List.of(2), batchSizes);
        }
    }

    @Test
    void aFullQueueRefusesAtOnceAndCloseFailsWhatWaits() throws Exception {
        BatchScheduler scheduler = new BatchScheduler("m", model, 2, 4, Duration.ZERO, BatchScheduler.Observer.NONE);
        CountDownLatch release = new CountDownLatch(1);
        Collector gate = new Collector(release);
        scheduler.submit(new GenerationJob(prompt("hold"), 2, true, deployment(""), gate));
        assertTrue(gate.holding.await(30, TimeUnit.SECONDS));
        Collector waiting1 = new Collector(null), waiting2 = new Collector(null);
        scheduler.submit(new GenerationJob(prompt("one"), 2, false, deployment(""), waiting1));
        scheduler.submit(new GenerationJob(prompt("two"), 2, false, deployment(""), waiting2));
        assertThrows(QueueFullException.class, () ->
                scheduler.submit(new GenerationJob(prompt("three"), 2, false, deployment(""), new Collector(null))));
        assertEquals(2, scheduler.queued());

        Thread closer = new Thread(scheduler::close);
        closer.start();
        Thread.sleep(200); // close() is waiting for the running batch
        release.countDown();
        closer.join(30_000);
        assertEquals(2, gate.result.get(30, TimeUnit.SECONDS).tokens().length, "the running batch finishes");
        for (Collector c : List.of(waiting1, waiting2)) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> c.result.get(30, TimeUnit.SECONDS));
            assertInstanceOf(SchedulerClosedException.class, e.getCause());
        }
        assertThrows(SchedulerClosedException.class, () ->
                scheduler.submit(new GenerationJob(prompt("late"), 2, false, deployment(""), new Collector(null))));
    }

    @Test
    void scoresEqualTheCoreEvenWhenChoicesSpanSeveralForwards() throws Exception {
        try (BatchScheduler scheduler = new BatchScheduler("m", model, 8, 2, Duration.ZERO, BatchScheduler.Observer.NONE)) {
            int[] p = prompt("Question: which? Answer:");
            List<int[]> choices = List.of(prompt(" one"), prompt(" two two"), prompt(" three"), prompt(" four!"), prompt(" 5"));
            ScoreJob job = new ScoreJob(p, choices, deployment("2"));
            scheduler.submit(job);
            List<float[]> got = job.result().get(60, TimeUnit.SECONDS).tokenLogProbs();
            for (int i = 0; i < choices.size(); i++) {
                int[] c = choices.get(i);
                int[] seq = new int[p.length + c.length];
                System.arraycopy(p, 0, seq, 0, p.length);
                System.arraycopy(c, 0, seq, p.length, c.length);
                int[] at = new int[c.length];
                for (int t = 0; t < at.length; t++) at[t] = p.length - 1 + t;
                float[] expected;
                try (ForwardState s = model.start(List.of(seq))) {
                    expected = s.runAll(LayerMask.parse(model.numLayers(), "2")).logProbsAt(List.of(at), List.of(c)).get(0);
                }
                assertArrayEquals(expected, got.get(i), 1e-5f, "choice " + i);
            }
        }
    }
}
