package tale.worker.model;

import java.nio.file.Path;
import java.util.function.Function;
import tale.core.model.Model;

/**
 * A loaded model with the jobs prepared for it: what a job's units share (task rows, prompts, tokenized batches)
 * is built once per job, not per unit.
 */
public final class LoadedModel implements AutoCloseable {

    private final Path dir;
    private final Model model;
    private final LruCache<Object, Object> jobs;

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
    @SuppressWarnings("unchecked")
    public <K, J> J job(K key, Function<K, J> prepare) {
        return (J) jobs.get(key, k -> prepare.apply((K) k));
    }

    @Override
    public void close() {
        jobs.clear();
        model.close();
    }
}
