package tale.messages;

/** Field checks shared by the message records, so every malformed message fails with the field's name. */
final class Checks {

    private Checks() { }

    static String text(String field, String value) {
        if (value == null || value.isBlank()) throw new IllegalArgumentException(field + " is missing or blank");
        return value;
    }

    static void version(String type, int actual, int expected) {
        if (actual != expected) {
            throw new IllegalArgumentException(type + " schemaVersion " + actual + " is not supported (expected "
                    + expected + ")");
        }
    }
}
