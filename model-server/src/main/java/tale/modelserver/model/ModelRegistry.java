package tale.modelserver.model;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jboss.logging.Logger;
import tale.core.InputException;
import tale.core.model.Model;
import tale.core.model.ModelConfig;
import tale.modelserver.config.ServerConfig;
import tale.modelserver.metrics.ServingMetrics;

/**
 * The configured models. Configuration (paths, config.json, profile masks) is checked as the server starts,
 * so a mistake stops start-up with one line naming the property; weights then load in the background and
 * readiness turns UP when every model is loaded.
 */
@ApplicationScoped
public class ModelRegistry {

    private static final Logger LOG = Logger.getLogger(ModelRegistry.class);

    @Inject ServerConfig config;
    @Inject ServingMetrics metrics;

    private final Map<String, ServedModel> models = new TreeMap<>();
    private volatile Thread loader;

    /** Runs when the bean is first used (at the latest at start-up), before any selection event can arrive. */
    @PostConstruct
    void configure() {
        config.models().forEach((name, settings) -> models.put(name, configure(name, settings)));
        if (models.isEmpty()) LOG.warn("no models configured (tale.models.<name>.path): nothing to serve");
        models.values().forEach(metrics::watch);
    }

    void start(@Observes StartupEvent event) {
        loader = new Thread(this::loadAll, "tale-model-loader");
        loader.setDaemon(true);
        loader.start();
    }

    private ServedModel configure(String name, ServerConfig.ModelSettings settings) {
        String where = "tale.models." + name;
        Path dir = Path.of(settings.path());
        if (!dir.isAbsolute() && config.modelRoot().isPresent()) dir = Path.of(config.modelRoot().get()).resolve(dir);
        if (!Files.isDirectory(dir)) throw new InputException(where + ".path: " + dir + " is not a directory");
        ModelConfig modelConfig = ModelConfig.read(dir);
        try {
            precision(settings.precision());
        } catch (InputException e) {
            throw new InputException(where + ".precision: " + e.getMessage());
        }
        ServedModel model = new ServedModel(name, dir, modelConfig, Clock.systemUTC());
        settings.profiles().forEach((profile, layers) -> {
            try {
                model.putProfile(profile, model.mask(layers), "configuration");
            } catch (RuntimeException e) {
                throw new InputException(where + ".profiles." + profile + ": " + e.getMessage(), e);
            }
        });
        return model;
    }

    private void loadAll() {
        for (ServedModel model : models.values()) {
            ServerConfig.ModelSettings settings = config.models().get(model.name());
            long start = System.nanoTime();
            try {
                model.load(new Model.Options(precision(settings.precision()), settings.device()),
                        config.serving().queueCapacity(), config.serving().maxBatchSize(), config.serving().batchWindow(),
                        metrics);
                LOG.infof("model %s loaded from %s in %.1f s: %d layers, profiles %s", model.name(), model.dir(),
                        (System.nanoTime() - start) / 1e9, model.numLayers(),
                        model.profiles().stream().map(Profile::name).toList());
            } catch (RuntimeException e) {
                LOG.errorf(e, "model %s failed to load from %s", model.name(), model.dir());
            }
        }
    }

    private static Model.Precision precision(String name) {
        return switch (name.toLowerCase()) {
            case "f32", "float32" -> Model.Precision.F32;
            case "f16", "float16" -> Model.Precision.F16;
            default -> throw new InputException("precision must be f32 or f16, got \"" + name + "\"");
        };
    }

    void stop(@Observes ShutdownEvent event) {
        Thread l = loader;
        if (l != null) {
            try {
                l.join(); // a model being loaded must finish before it can be closed
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        models.values().forEach(ServedModel::stop);
    }

    public Collection<ServedModel> models() {
        return models.values();
    }

    public ServedModel model(String name) {
        ServedModel m = models.get(name);
        if (m == null) throw new UnknownModelException("no model named \"" + name + "\" (GET /v1/models lists them)");
        return m;
    }

    public boolean contains(String name) {
        return models.containsKey(name);
    }

    /** The deployment a request for {@code id} runs under now. */
    public Deployment resolve(ModelId id) {
        return model(id.model()).profile(id.profile()).current();
    }

    /** Creates or swaps a profile (see {@link ServedModel#putProfile}) and keeps its metrics. */
    public ServedModel.ProfileUpdate setProfile(String model, String profile, List<Integer> removed, String source) {
        ServedModel served = model(model);
        ServedModel.ProfileUpdate update = served.putProfile(profile, served.mask(removed), source);
        if (update.created()) metrics.watch(update.profile());
        update.deployed().ifPresent(d -> LOG.infof("profile %s v%d now removes [%s] (%s)", d.id(), d.version(),
                d.mask(), source));
        return update;
    }

    public Profile removeProfile(String model, String profile) {
        Profile removed = model(model).removeProfile(profile);
        metrics.forget(removed);
        return removed;
    }

    /** True when every model is loaded and serving. */
    public boolean ready() {
        return models.values().stream().allMatch(m -> m.state() == ServedModel.State.READY);
    }
}
