package tale.core.task;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tale.core.InputException;

/** The tasks by name: the paper's nine and the two generic kinds ({@code mc}, {@code gen}). */
public final class Tasks {

    private static final Map<String, Task> BY_NAME = new LinkedHashMap<>();

    static {
        for (Task t : List.of(new ArcTask("arc_easy"), new ArcTask("arc_challenge"), new BoolqTask(), new MmluTask(),
                new CommonsenseQaTask(), new WinograndeTask(), new BbhBooleanExpressionsTask(), new Gsm8kTask(),
                new Math500Task(), new GenericChoiceTask(), new GenericGenerativeTask())) {
            BY_NAME.put(t.name(), t);
        }
    }

    private Tasks() { }

    public static Task byName(String name) {
        Task t = BY_NAME.get(name);
        if (t == null) throw new InputException("unknown task \"" + name + "\"; known tasks: " + String.join(", ", names()));
        return t;
    }

    public static List<String> names() {
        return List.copyOf(BY_NAME.keySet());
    }
}
