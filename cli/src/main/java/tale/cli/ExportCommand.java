package tale.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tale.core.model.CheckpointExport;

/** Writes a standard Hugging Face checkpoint with layers physically removed (see {@link CheckpointExport}). */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write a Hugging Face checkpoint with the given layers removed (tensors renumbered, "
                + "num_hidden_layers updated, tokenizer files copied).")
final class ExportCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "source Hugging Face model directory") Path model;
    @Option(names = "--drop", required = true, description = "layers to remove, 0-indexed, e.g. 3,5") String drop;
    @Option(names = "--out", required = true, description = "directory to write (new or empty)") Path out;
    @Option(names = "--force", description = "write into a non-empty --out, replacing its checkpoint files") boolean force;

    @Override
    public Integer call() throws Exception {
        CheckpointExport.Result r = CheckpointExport.export(model, drop, out, force);
        System.out.printf("%s: %d of %d layers (removed %s), %d tensor file(s), %d bytes of tensors%n",
                r.out(), r.layers(), r.sourceLayers(), r.removed().isEmpty() ? "none" : r.removed(),
                r.tensorFiles(), r.bytes());
        return 0;
    }
}
