package tale.core.scoring;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The first label that stands as a word of its own: {@code " A"}, {@code "(B)"}, {@code "Answer: C"} and
 * {@code "**D**."} all parse, {@code "Answer"} does not count as an A. Single-character labels (letters,
 * digits) match case-sensitively, word labels such as True/False ignore case. The parsed label is returned
 * as the task spells it.
 */
public final class LabelParser implements AnswerParser {

    private final List<String> labels;
    private final Pattern pattern;

    public LabelParser(List<String> labels) {
        this.labels = List.copyOf(labels);
        String alternatives = labels.stream().sorted(Comparator.comparingInt(String::length).reversed())
                .map(l -> l.length() == 1 ? Pattern.quote(l) : "(?i:" + Pattern.quote(l) + ")")
                .collect(Collectors.joining("|"));
        this.pattern = Pattern.compile("(?<![\\p{L}\\p{N}])(" + alternatives + ")(?![\\p{L}\\p{N}])");
    }

    @Override
    public Optional<String> parse(String output) {
        Matcher m = pattern.matcher(output);
        if (!m.find()) return Optional.empty();
        String found = m.group(1);
        return labels.stream().filter(l -> l.equalsIgnoreCase(found)).findFirst();
    }
}
