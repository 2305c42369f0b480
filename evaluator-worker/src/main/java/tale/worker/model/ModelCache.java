package tale.worker.model;

import java.nio.file.Path;
import java.util.function.Function;
import org.jboss.logging.Logger;
import tale.core.model.Model;

/**
 * The loaded models, at most {@code tale.worker.max-models} of them; the least recently used one is closed
 * before another loads. Each keeps its own prepared jobs ({@link LoadedModel}), which go with it.
 *
 * <p>Units are evaluated one at a time (the consumer is ordered and blocking), so a model is never closed while
 * a unit uses it.
 */
public final class ModelCache implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ModelCache.class);

    private final LruCache<Path, LoadedModel> models;
    private final Function<Path, Model> loader;
    private final int maxJobs;

    public ModelCache(int maxModels, int maxJobs, Function<Path, Model> loader) {
        this.models = new LruCache<>(maxModels, m -> {
            LOG.infof("closing model %s (cache holds %d)", m.dir(), maxModels);
            m.close();
        });
        this.loader = loader;
        this.maxJobs = maxJobs;
    }

    /** The model in checkpoint directory {@code dir}, loaded when not cached. */
    public LoadedModel get(Path dir) {
        return models.get(dir, d -> {
            long t0 = System.nanoTime();
            Model m = loader.apply(d);
            LOG.infof("loaded model %s (%d layers) in %.1f s", d, m.numLayers(), (System.nanoTime() - t0) / 1e9);
            return new LoadedModel(d, m, maxJobs);
        });
    }

    public boolean contains(Path dir) {
        return models.contains(dir);
    }

    @Override
    public void close() {
        models.clear();
    }
}
