package tale.core.model;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import tale.core.InputException;

/**
 * Which of a model's layers run. A removed layer is skipped: the residual stream passes through it
 * unchanged. Immutable; layer indices are 0-based.
 */
public final class LayerMask {

    private final int numLayers;
    private final BitSet removed;

    private LayerMask(int numLayers, BitSet removed) {
        this.numLayers = numLayers;
        this.removed = removed;
    }

    public static LayerMask full(int numLayers) {
        return new LayerMask(numLayers, new BitSet(numLayers));
    }

    /** A mask with {@code removed} layers dropped; an index outside [0, numLayers) is an input error. */
    public static LayerMask dropping(int numLayers, Collection<Integer> removed) {
        BitSet bits = new BitSet(numLayers);
        for (int layer : removed) {
            if (layer < 0 || layer >= numLayers) {
                throw new InputException("layer " + layer + " is out of range: the model has " + numLayers
                        + " layers (0-" + (numLayers - 1) + ")");
            }
            bits.set(layer);
        }
        return new LayerMask(numLayers, bits);
    }

    /** Parses "3,5,7" (empty means none removed). */
    public static LayerMask parse(int numLayers, String commaSeparated) {
        if (commaSeparated == null || commaSeparated.isBlank()) return full(numLayers);
        List<Integer> layers;
        try {
            layers = Arrays.stream(commaSeparated.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                    .map(Integer::parseInt).toList();
        } catch (NumberFormatException e) {
            throw new InputException("layer list \"" + commaSeparated + "\" is not a comma-separated list of integers");
        }
        return dropping(numLayers, layers);
    }

    public int numLayers() {
        return numLayers;
    }

    public boolean isActive(int layer) {
        return !removed.get(layer);
    }

    public int activeCount() {
        return numLayers - removed.cardinality();
    }

    public List<Integer> removed() {
        return removed.stream().boxed().toList();
    }

    public List<Integer> active() {
        return IntStream.range(0, numLayers).filter(this::isActive).boxed().toList();
    }

    /** This mask with one more layer removed. */
    public LayerMask without(int layer) {
        BitSet bits = (BitSet) removed.clone();
        if (layer < 0 || layer >= numLayers) {
            throw new InputException("layer " + layer + " is out of range: the model has " + numLayers + " layers");
        }
        bits.set(layer);
        return new LayerMask(numLayers, bits);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LayerMask m && m.numLayers == numLayers && m.removed.equals(removed);
    }

    @Override
    public int hashCode() {
        return 31 * numLayers + removed.hashCode();
    }

    /** The removed layers, comma-separated, as {@code --drop} takes them. */
    @Override
    public String toString() {
        return removed.stream().mapToObj(Integer::toString).collect(Collectors.joining(","));
    }
}
