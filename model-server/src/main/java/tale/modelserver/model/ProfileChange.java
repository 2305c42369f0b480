package tale.modelserver.model;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.List;

/** One entry of a profile's swap history (served by the admin API in snake_case). */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ProfileChange(int version, Action action, List<Integer> layersRemoved, String source, Instant at) {

    public enum Action { CREATED, SET, ROLLBACK }
}
