package tale.modelserver.model;

import java.time.Instant;
import java.util.List;

/** One entry of a profile's swap history. */
public record ProfileChange(int version, Action action, List<Integer> layersRemoved, String source, Instant at) {

    public enum Action { CONFIGURED, SET, ROLLBACK }
}
