package tale.worker.model;

import java.nio.file.Path;
import java.util.function.Function;
import tale.core.model.Model;

/**
 * A loaded model with the jobs prepared for it: what a job's units share (task rows, prompts, tokenized batches)
 * is built once per job, not per unit.
 *
 * @param <K> what identifies a job's preparation
 * @param <J> a prepared job
 */
public final class LoadedModel<K, J> implements AutoCloseable {

    private final Path dir;
    private final Model model;
    private final LruCache<K, J> jobs;

    LoadedModel(Path dir, Model model, int maxJobs) {
        this.dir = dir;
        this.model = model;
        this.jobs = new LruCache<>(maxJobs, j -> { });
    }

    public Path dir() {
        return dir;
    }

    public Model model() {
        return model;
    }

    /** The job prepared for {@code key}, prepared now when not kept. */
    public J job(K key, Function<K, J> prepare) {
        return jobs.get(key, prepare);
    }

    @Override
    public void close() {
        jobs.clear();
        model.close();
    }
}
