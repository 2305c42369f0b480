package tale.modelserver.rest.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import tale.modelserver.model.Deployment;

/**
 * The {@code tale} field of every response: the model, profile and profile version the request ran under,
 * and the layers that mask removed. Equal to the {@code X-Tale-*} response headers.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TaleInfo(String model, String profile, int profileVersion, int layers, int layersActive,
                       List<Integer> layersRemoved) {

    public static TaleInfo of(Deployment d) {
        return new TaleInfo(d.model(), d.profile(), d.version(), d.mask().numLayers(), d.mask().activeCount(),
                d.mask().removed());
    }
}
