package tale.core.task;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import tale.core.InputException;

/**
 * MMLU. Reads the original per-subject CSV files (no header: question, four options, answer letter; the
 * subject comes from the file name, e.g. {@code abstract_algebra_test.csv}), a directory of them (read in
 * name order, rows numbered on across files), or Hugging Face rows ({@code question}, {@code choices},
 * {@code answer} index or letter, optional {@code subject}).
 */
final class MmluTask extends JsonTask {

    static final String SYSTEM = "You are answering a multiple choice question. "
            + "Reply with the letter of the correct option and nothing else.";

    MmluTask() {
        super("mmlu", SYSTEM, true, 1);
    }

    @Override
    public List<Example> load(Path file) {
        if (Files.isDirectory(file)) {
            List<Example> out = new ArrayList<>();
            for (Path csv : csvFiles(file)) readCsv(csv, out);
            if (out.isEmpty()) throw new InputException(file + ": no MMLU .csv files");
            return out;
        }
        if (file.getFileName().toString().toLowerCase().endsWith(".csv")) {
            List<Example> out = new ArrayList<>();
            readCsv(file, out);
            return requireRows(file, out);
        }
        return super.load(file);
    }

    @Override
    Example example(int index, TaskFile.Row row) {
        List<String> options = row.texts("choices");
        String answer = row.text("answer").strip();
        int gold = answer.matches("\\d+") ? Integer.parseInt(answer)
                : Choices.indexOfKey(row, Choices.letters(options.size()), answer, "answer");
        return Choices.lettered(row, index, stem(row.optionalText("subject").orElse(""), row.text("question")), options, gold);
    }

    private static void readCsv(Path csv, List<Example> out) {
        String subject = subject(csv);
        List<TaskFile.CsvRow> rows = TaskFile.readCsv(csv);
        for (int i = 0; i < rows.size(); i++) {
            TaskFile.CsvRow row = rows.get(i);
            List<String> f = row.fields();
            if (i == 0 && f.get(0).strip().equalsIgnoreCase("question")) continue; // an optional header
            if (f.size() < 4) throw row.error("expected question, options and answer letter; got " + f.size() + " fields");
            List<String> options = f.subList(1, f.size() - 1);
            String answer = f.get(f.size() - 1).strip();
            int gold = Choices.indexOfKey(row, Choices.letters(options.size()), answer, "answer");
            out.add(Choices.lettered(row, out.size(), stem(subject, f.get(0)), options, gold));
        }
    }

    private static String stem(String subject, String question) {
        String s = subject.isBlank() ? "" : "Subject: " + subject.replace('_', ' ').strip() + "\n";
        return s + "Question: " + question.strip();
    }

    /** "abstract_algebra_test.csv" -> "abstract algebra". */
    static String subject(Path csv) {
        String name = csv.getFileName().toString().replaceFirst("(?i)\\.csv$", "");
        return name.replaceFirst("_(test|dev|val|validation|train|auxiliary_train)$", "").replace('_', ' ');
    }

    private static List<Path> csvFiles(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().toLowerCase().endsWith(".csv")).sorted().toList();
        } catch (IOException e) {
            throw new InputException(dir + ": cannot list (" + e.getMessage() + ")");
        }
    }
}
