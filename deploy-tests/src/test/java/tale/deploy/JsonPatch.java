package tale.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** RFC 6902 add, replace and remove on a YAML tree, the operations kustomize overlays use here. */
final class JsonPatch {

    private JsonPatch() { }

    @SuppressWarnings("unchecked")
    static void apply(Map<String, Object> doc, List<?> operations) {
        for (Object o : operations) {
            Map<String, Object> op = Kustomize.map(o);
            String kind = (String) op.get("op");
            List<String> tokens = tokens((String) op.get("path"));
            Object parent = doc;
            for (String t : tokens.subList(0, tokens.size() - 1)) {
                parent = child(parent, t, op);
            }
            String last = tokens.get(tokens.size() - 1);
            Object value = Kustomize.deepCopy(op.get("value"));
            if (parent instanceof Map<?, ?> m) {
                Map<String, Object> map = (Map<String, Object>) m;
                switch (kind) {
                    case "add" -> map.put(last, value);
                    case "replace", "remove" -> {
                        if (!map.containsKey(last)) throw new IllegalArgumentException(op + ": no such path");
                        if (kind.equals("replace")) map.put(last, value); else map.remove(last);
                    }
                    default -> throw new IllegalArgumentException(op + ": unsupported operation " + kind);
                }
            } else if (parent instanceof List<?> l) {
                List<Object> list = (List<Object>) l;
                switch (kind) {
                    case "add" -> {
                        if (last.equals("-")) list.add(value); else list.add(index(last, list.size() + 1, op), value);
                    }
                    case "replace" -> list.set(index(last, list.size(), op), value);
                    case "remove" -> list.remove(index(last, list.size(), op));
                    default -> throw new IllegalArgumentException(op + ": unsupported operation " + kind);
                }
            } else {
                throw new IllegalArgumentException(op + ": no such path");
            }
        }
    }

    private static Object child(Object parent, String token, Map<String, Object> op) {
        Object next = parent instanceof Map<?, ?> m ? m.get(token)
                : parent instanceof List<?> l ? l.get(index(token, l.size(), op)) : null;
        if (next == null) throw new IllegalArgumentException(op + ": no such path");
        return next;
    }

    private static int index(String token, int bound, Map<String, Object> op) {
        int i;
        try {
            i = Integer.parseInt(token);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(op + ": '" + token + "' is not a list index");
        }
        if (i < 0 || i >= bound) throw new IllegalArgumentException(op + ": index " + i + " out of range");
        return i;
    }

    private static List<String> tokens(String pointer) {
        if (pointer == null || !pointer.startsWith("/")) throw new IllegalArgumentException("bad JSON pointer " + pointer);
        List<String> out = new ArrayList<>();
        for (String t : pointer.substring(1).split("/", -1)) out.add(t.replace("~1", "/").replace("~0", "~"));
        return out;
    }
}
