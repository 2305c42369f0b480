package tale.modelserver.model;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import tale.core.InputException;
import tale.core.model.LayerMask;
import tale.core.model.Model;
import tale.core.model.ModelConfig;
import tale.modelserver.batch.BatchScheduler;
import tale.modelserver.batch.Job;

/**
 * One model served by name: its weights, loaded once, and its named profiles (layer masks over those
 * weights). The configuration is read when the server starts, so profiles can be managed and validated
 * before the weights finish loading; requests need the weights.
 */
public final class ServedModel {

    public enum State { LOADING, READY, FAILED, STOPPED }

    private final String name;
    private final Path dir;
    private final ModelConfig config;
    private final Clock clock;
    private final ConcurrentSkipListMap<String, Profile> profiles = new ConcurrentSkipListMap<>();
    private volatile State state = State.LOADING;
    private volatile String error;
    private volatile Model model;
    private volatile BatchScheduler scheduler;

    public ServedModel(String name, Path dir, ModelConfig config, Clock clock) {
        ModelId.checkName("model", name);
        this.name = name;
        this.dir = dir;
        this.config = config;
        this.clock = clock;
        profiles.put(ModelId.FULL, new Profile(name, ModelId.FULL, LayerMask.full(config.numLayers()), "all layers", clock));
    }

    public String name() {
        return name;
    }

    public Path dir() {
        return dir;
    }

    public int numLayers() {
        return config.numLayers();
    }

    public State state() {
        return state;
    }

    /** Why loading failed, when it did. */
    public Optional<String> error() {
        return Optional.ofNullable(error);
    }

    /** The mask removing {@code removed}; removing every layer is refused. */
    public LayerMask mask(List<Integer> removed) {
        LayerMask mask = LayerMask.dropping(config.numLayers(), removed);
        if (mask.activeCount() == 0) {
            throw new InputException("removing all " + config.numLayers() + " layers of " + name + " leaves nothing to run");
        }
        return mask;
    }

    /** Parses a layer list: "3,5", or "none" (or empty) for the full model. */
    public LayerMask mask(String layers) {
        String text = layers == null ? "" : layers.trim();
        if (text.equalsIgnoreCase("none")) text = "";
        return mask(LayerMask.parse(config.numLayers(), text).removed());
    }

    /** The full profile first, then the others by name. */
    public List<Profile> profiles() {
        List<Profile> out = new java.util.ArrayList<>();
        out.add(profiles.get(ModelId.FULL));
        profiles.values().stream().filter(p -> !p.name().equals(ModelId.FULL)).forEach(out::add);
        return out;
    }

    public Profile profile(String profile) {
        Profile p = profiles.get(profile);
        if (p == null) throw new UnknownModelException("model " + name + " has no profile \"" + profile + "\"");
        return p;
    }

    public Optional<Profile> findProfile(String profile) {
        return Optional.ofNullable(profiles.get(profile));
    }

    /** What a PUT did: the profile, whether it was new, and the deployment now current (empty if unchanged). */
    public record ProfileUpdate(Profile profile, boolean created, Optional<Deployment> deployed) { }

    /** Creates the profile with {@code mask}, or swaps its mask. The full profile never changes. */
    public synchronized ProfileUpdate putProfile(String profile, LayerMask mask, String source) {
        ModelId.checkName("profile", profile);
        if (profile.equals(ModelId.FULL)) {
            throw new ProfileConflictException("the \"full\" profile always runs every layer; use another profile name");
        }
        Profile existing = profiles.get(profile);
        if (existing != null) return new ProfileUpdate(existing, false, existing.set(mask, source));
        Profile created = new Profile(name, profile, mask, source, clock);
        profiles.put(profile, created);
        return new ProfileUpdate(created, true, Optional.of(created.current()));
    }

    public synchronized Profile removeProfile(String profile) {
        if (profile.equals(ModelId.FULL)) throw new ProfileConflictException("the \"full\" profile cannot be deleted");
        Profile removed = profiles.remove(profile);
        if (removed == null) throw new UnknownModelException("model " + name + " has no profile \"" + profile + "\"");
        return removed;
    }

    /** Loads the weights and starts the batch scheduler; on failure the model stays FAILED with the reason. */
    public void load(Model.Options options, int queueCapacity, int maxBatchSize, Duration batchWindow,
                     BatchScheduler.Observer observer) {
        try {
            Model loaded = Model.load(dir, options);
            if (loaded.numLayers() != config.numLayers()) {
                loaded.close();
                throw new IllegalStateException(dir + " changed while loading");
            }
            loaded.tokenizer(); // a served model needs one; fail now rather than on the first request
            model = loaded;
            scheduler = new BatchScheduler(name, loaded, queueCapacity, maxBatchSize, batchWindow, observer);
            state = State.READY;
        } catch (RuntimeException e) {
            error = e.getMessage();
            state = State.FAILED;
            throw e;
        }
    }

    /** The loaded model, for requests; 503 while loading or after a failure. */
    public Model model() {
        Model m = model;
        if (state != State.READY || m == null) throw unavailable();
        return m;
    }

    /** Queues a job; 429 when the queue is full, 503 when the model is not ready. */
    public void submit(Job job) {
        BatchScheduler s = scheduler;
        if (state != State.READY || s == null) throw unavailable();
        s.submit(job);
    }

    public int queued() {
        BatchScheduler s = scheduler;
        return s == null ? 0 : s.queued();
    }

    private ModelUnavailableException unavailable() {
        return switch (state) {
            case LOADING -> new ModelUnavailableException("model " + name + " is still loading; retry later");
            case FAILED -> new ModelUnavailableException("model " + name + " failed to load: " + error);
            default -> new ModelUnavailableException("model " + name + " is stopping");
        };
    }

    public void stop() {
        state = State.STOPPED;
        BatchScheduler s = scheduler;
        if (s != null) s.close();
        Model m = model;
        if (m != null) m.close();
    }
}
