package tale.worker.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import tale.core.model.Model;
import tale.core.search.LocalEvaluator;
import tale.worker.dataset.DatasetStore;
import tale.worker.evaluation.UnitEvaluator;
import tale.worker.model.Hardware;
import tale.worker.model.ModelCache;
import tale.service.ConfinedRoot;

/** Builds the worker's parts from its configuration (singletons: records and final classes need no proxy). */
@ApplicationScoped
public class WorkerBeans {

    @Produces
    @Singleton
    @Named("modelRoot")
    ConfinedRoot modelRoot(WorkerConfig config) {
        return new ConfinedRoot(Path.of(config.modelRoot()), "model root");
    }

    @Produces
    @Singleton
    Hardware hardware(WorkerConfig config) {
        return new Hardware(config.device(), Hardware.parsePrecision(config.precision()));
    }

    @Produces
    @Singleton
    UnitEvaluator unitEvaluator(WorkerConfig config, @Named("modelRoot") ConfinedRoot models, Hardware hardware,
                                @ConfigProperty(name = "tale.api.token") Optional<String> token) {
        DatasetStore datasets = new DatasetStore(Path.of(config.dataCache()), URI.create(config.orchestratorUrl()),
                token, config.fetchTimeout());
        Optional<ConfinedRoot> dataRoot = config.dataRoot().map(d -> new ConfinedRoot(Path.of(d), "data root"));
        ModelCache cache = new ModelCache(config.maxModels(), config.maxJobs(),
                dir -> Model.load(dir, hardware.modelOptions()));
        return new UnitEvaluator(models, dataRoot, datasets, cache,
                new LocalEvaluator.Options(true, config.batchSize(), config.batchTokens()));
    }

    void close(@Disposes UnitEvaluator evaluator) {
        evaluator.close();
    }

    /** This worker's name: tale.worker.id (the pod's name in a cluster), else the host name. */
    @Produces
    @Singleton
    WorkerId workerId(WorkerConfig config) {
        return new WorkerId(config.id().filter(s -> !s.isBlank()).orElseGet(() -> {
            try {
                return InetAddress.getLocalHost().getHostName() + "-" + ProcessHandle.current().pid();
            } catch (UnknownHostException e) {
                return "worker-" + ProcessHandle.current().pid();
            }
        }));
    }
}
