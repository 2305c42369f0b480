package tale.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tale.core.model.TensorType;
import tale.core.model.TinyCheckpoint;

@Command(name = "make-tiny", mixinStandardHelpOptions = true,
        description = "Write a randomly initialised checkpoint in the Hugging Face layout (for tests and benchmarks).")
final class MakeTinyCommand implements Callable<Integer> {

    @Option(names = "--arch", required = true, description = "llama, qwen2 or mistral") String arch;
    @Option(names = "--out", required = true, description = "directory to write") Path out;
    @Option(names = "--layers", defaultValue = "4") int layers;
    @Option(names = "--hidden", defaultValue = "64") int hidden;
    @Option(names = "--heads", defaultValue = "4") int heads;
    @Option(names = "--kv-heads", defaultValue = "2") int kvHeads;
    @Option(names = "--head-dim", defaultValue = "0", description = "0: hidden / heads") int headDim;
    @Option(names = "--intermediate", defaultValue = "0", description = "0: 2 x hidden") int intermediate;
    @Option(names = "--vocab", defaultValue = "320") int vocab;
    @Option(names = "--seed", defaultValue = "0") long seed;
    @Option(names = "--dtype", defaultValue = "f32", description = "f32, bf16 or f16") String dtype;
    @Option(names = "--shards", defaultValue = "1") int shards;
    @Option(names = "--tied", description = "tie the LM head to the embeddings") boolean tied;
    @Option(names = "--attention-bias", description = "Llama only: biases on q, k, v and o") boolean attentionBias;
    @Option(names = "--no-rope-scaling", description = "Llama only: plain RoPE instead of llama3 scaling") boolean noRopeScaling;
    @Option(names = "--sliding-window", defaultValue = "0", description = "Mistral/Qwen2: attention window (0: none)") int slidingWindow;

    @Override
    public Integer call() throws Exception {
        TensorType type = switch (dtype.toLowerCase()) {
            case "f32", "float32" -> TensorType.F32;
            case "bf16", "bfloat16" -> TensorType.BF16;
            case "f16", "float16" -> TensorType.F16;
            default -> throw new tale.core.InputException("--dtype must be f32, bf16 or f16, got \"" + dtype + "\"");
        };
        TinyCheckpoint.write(new TinyCheckpoint.Spec(arch, layers, hidden, heads, kvHeads, headDim,
                intermediate > 0 ? intermediate : 2 * hidden, vocab, seed, type, shards, tied, attentionBias,
                arch.equals("llama") && !noRopeScaling, slidingWindow), out);
        System.out.println(out);
        return 0;
    }
}
